#ifndef medcrypt_SlicerProgress_h
#define medcrypt_SlicerProgress_h

// 3D Slicer's progress protocol for CLI modules: the XML fragments on stdout that Slicer turns into the
// module's progress bar and status text.

#include <chrono>
#include <iosfwd>
#include <string>

namespace medcrypt::slicer
{

/** Prints <filter-start> (name and comment) when made, <filter-progress> for each Report and
 * <filter-end> (name and the seconds since the start) on Finish. Text is XML-escaped; each fragment is
 * flushed at once, so Slicer sees it while the module runs. */
class SlicerProgressReporter
{
public:
  SlicerProgressReporter(std::ostream & out, std::string name, const std::string & comment);

  /** `fraction` of the work done, clamped to [0, 1]; repeated values are not printed again. */
  void
  Report(double fraction);

  /** Reports 1 and prints <filter-end>; later calls do nothing. */
  void
  Finish();

private:
  std::ostream & m_Out;
  std::string m_Name;
  std::chrono::steady_clock::time_point m_Start;
  double m_Last = -1.0;
  bool m_Finished = false;
};

/** `text` with &, < and > written as XML entities. */
std::string
EscapeXmlText(const std::string & text);

} // namespace medcrypt::slicer

#endif

#ifndef medcrypt_ProgressReporter_h
#define medcrypt_ProgressReporter_h

#include <chrono>
#include <cstddef>
#include <ostream>
#include <string>

namespace medcrypt::cli::tree
{

/** Shows the progress of a tree conversion on stderr. On a terminal: one line, redrawn with '\r', with a
 * bar, the files done, files per second and the estimated time left. Otherwise (a log file, a pipe): one
 * plain line per finished file. Not thread-safe: the caller serialises calls. */
class ProgressReporter
{
public:
  /** `total` files are to be handled; `terminal` selects the redrawn bar (pass isatty(STDERR_FILENO)). */
  ProgressReporter(std::ostream & out, std::string command, std::size_t total, bool terminal);

  /** One more file finished with the status word `status` ("encrypted", "copied", ...). */
  void
  FileDone(const std::string & relativePath, const std::string & status);

  /** Ends the bar's line (terminal mode); nothing otherwise. */
  void
  Finish();

  /** "ETA" text of `seconds`: "m:ss", or "h:mm:ss" from one hour on. */
  static std::string
  FormatDuration(double seconds);

private:
  std::ostream & m_Out;
  std::string m_Command;
  std::size_t m_Total;
  std::size_t m_Done = 0;
  bool m_Terminal;
  std::chrono::steady_clock::time_point m_Start;
  std::size_t m_LastLineLength = 0;
};

} // namespace medcrypt::cli::tree

#endif

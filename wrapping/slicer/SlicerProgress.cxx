#include "SlicerProgress.h"

#include <algorithm>
#include <cstdio>
#include <ostream>

namespace medcrypt::slicer
{

std::string
EscapeXmlText(const std::string & text)
{
  std::string escaped;
  for (const char c : text)
  {
    switch (c)
    {
      case '&':
        escaped += "&amp;";
        break;
      case '<':
        escaped += "&lt;";
        break;
      case '>':
        escaped += "&gt;";
        break;
      default:
        escaped += c;
    }
  }
  return escaped;
}

SlicerProgressReporter::SlicerProgressReporter(std::ostream & out, std::string name, const std::string & comment)
  : m_Out(out)
  , m_Name(EscapeXmlText(name))
  , m_Start(std::chrono::steady_clock::now())
{
  m_Out << "<filter-start>\n<filter-name>" << m_Name << "</filter-name>\n<filter-comment>" << EscapeXmlText(comment)
        << "</filter-comment>\n</filter-start>" << std::endl;
}

void
SlicerProgressReporter::Report(double fraction)
{
  if (m_Finished)
  {
    return;
  }
  // Three decimals: finer steps do not move Slicer's bar and would only flood the log.
  char text[16];
  std::snprintf(text, sizeof(text), "%.3f", std::clamp(fraction, 0.0, 1.0));
  const double rounded = std::stod(text);
  if (rounded == m_Last)
  {
    return;
  }
  m_Last = rounded;
  m_Out << "<filter-progress>" << text << "</filter-progress>" << std::endl;
}

void
SlicerProgressReporter::Finish()
{
  if (m_Finished)
  {
    return;
  }
  Report(1.0);
  m_Finished = true;
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - m_Start).count();
  char text[32];
  std::snprintf(text, sizeof(text), "%.2f", seconds);
  m_Out << "<filter-end>\n<filter-name>" << m_Name << "</filter-name>\n<filter-time>" << text
        << "</filter-time>\n</filter-end>" << std::endl;
}

} // namespace medcrypt::slicer

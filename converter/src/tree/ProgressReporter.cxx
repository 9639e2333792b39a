#include "ProgressReporter.h"

#include <cstdio>
#include <utility>

namespace medcrypt::cli::tree
{

namespace
{
constexpr std::size_t BarWidth = 30;
} // namespace

ProgressReporter::ProgressReporter(std::ostream & out, std::string command, std::size_t total, bool terminal)
  : m_Out(out)
  , m_Command(std::move(command))
  , m_Total(total)
  , m_Terminal(terminal)
  , m_Start(std::chrono::steady_clock::now())
{
}

std::string
ProgressReporter::FormatDuration(double seconds)
{
  const long total = seconds < 0.0 ? 0 : static_cast<long>(seconds + 0.5);
  char text[32];
  if (total >= 3600)
  {
    std::snprintf(text, sizeof(text), "%ld:%02ld:%02ld", total / 3600, (total / 60) % 60, total % 60);
  }
  else
  {
    std::snprintf(text, sizeof(text), "%ld:%02ld", total / 60, total % 60);
  }
  return text;
}

void
ProgressReporter::FileDone(const std::string & relativePath, const std::string & status)
{
  ++m_Done;
  if (!m_Terminal)
  {
    m_Out << "medcrypt " << m_Command << ": [" << m_Done << "/" << m_Total << "] " << status << " " << relativePath
          << std::endl;
    return;
  }
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - m_Start).count();
  const double rate = elapsed > 0.0 ? static_cast<double>(m_Done) / elapsed : 0.0;
  const std::size_t filled = m_Total == 0 ? BarWidth : BarWidth * m_Done / m_Total;
  char numbers[96];
  std::snprintf(numbers,
                sizeof(numbers),
                "] %zu/%zu files  %.1f files/s  ETA %s",
                m_Done,
                m_Total,
                rate,
                rate > 0.0 ? FormatDuration(static_cast<double>(m_Total - m_Done) / rate).c_str() : "?");
  const std::string line = "[" + std::string(filled, '#') + std::string(BarWidth - filled, ' ') + numbers;
  m_Out << '\r' << line;
  if (line.size() < m_LastLineLength)
  {
    m_Out << std::string(m_LastLineLength - line.size(), ' ');
  }
  m_LastLineLength = line.size();
  m_Out << std::flush;
}

void
ProgressReporter::Finish()
{
  if (m_Terminal && m_LastLineLength > 0)
  {
    m_Out << std::endl;
  }
}

} // namespace medcrypt::cli::tree

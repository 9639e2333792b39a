#include "ConversionReport.h"

#include <nlohmann/json.hpp>

#include <iomanip>
#include <sstream>
#include <utility>

namespace medcrypt::cli::tree
{

std::string
StatusName(FileStatus status, const std::string & convertedName)
{
  switch (status)
  {
    case FileStatus::Converted:
      return convertedName;
    case FileStatus::NetworkRestored:
      return "restored (network only, approximate)";
    case FileStatus::Copied:
      return "copied";
    case FileStatus::Resumed:
      return "resumed";
    case FileStatus::Skipped:
      return "skipped";
    case FileStatus::Failed:
      break;
  }
  return "failed";
}

ConversionReport::ConversionReport(std::string command,
                                   std::string convertedName,
                                   std::string inputRoot,
                                   std::string outputRoot)
  : m_Command(std::move(command))
  , m_ConvertedName(std::move(convertedName))
  , m_InputRoot(std::move(inputRoot))
  , m_OutputRoot(std::move(outputRoot))
{
}

void
ConversionReport::Add(const FileOutcome & outcome)
{
  m_Outcomes[outcome.relativePath] = outcome;
}

std::size_t
ConversionReport::Count(FileStatus status) const
{
  std::size_t count = 0;
  for (const auto & entry : m_Outcomes)
  {
    count += entry.second.status == status ? 1 : 0;
  }
  return count;
}

int
ConversionReport::ExitStatus() const
{
  return Count(FileStatus::Failed) == 0 ? 0 : 1;
}

std::vector<FileOutcome>
ConversionReport::Outcomes() const
{
  std::vector<FileOutcome> outcomes;
  outcomes.reserve(m_Outcomes.size());
  for (const auto & entry : m_Outcomes)
  {
    outcomes.push_back(entry.second);
  }
  return outcomes;
}

void
ConversionReport::SetRunDetails(double seconds, unsigned jobs, bool verify)
{
  m_Seconds = seconds;
  m_Jobs = jobs;
  m_Verify = verify;
}

void
ConversionReport::PrintSummary(std::ostream & out) const
{
  out << "medcrypt " << m_Command << ": " << m_Outcomes.size() << " files in " << m_InputRoot << ": "
      << Count(FileStatus::Converted) << " " << m_ConvertedName << ", "
      << (Count(FileStatus::NetworkRestored) == 0
            ? std::string()
            : std::to_string(Count(FileStatus::NetworkRestored)) + " restored by the network only (approximate), ")
      << Count(FileStatus::Copied) << " copied, " << Count(FileStatus::Resumed) << " already done by an earlier run, "
      << Count(FileStatus::Skipped) << " skipped, " << Count(FileStatus::Failed) << " failed (" << std::fixed
      << std::setprecision(1) << m_Seconds << " s)" << std::endl;
  for (const FileStatus status :
       { FileStatus::NetworkRestored, FileStatus::Copied, FileStatus::Skipped, FileStatus::Failed })
  {
    for (const auto & entry : m_Outcomes)
    {
      const FileOutcome & outcome = entry.second;
      if (outcome.status == status)
      {
        out << "  " << StatusName(status, m_ConvertedName) << ": " << outcome.relativePath << " (" << outcome.kind
            << "): " << outcome.message << "\n";
      }
    }
  }
  out << std::flush;
}

std::string
ConversionReport::ToJson() const
{
  nlohmann::json files = nlohmann::json::array();
  for (const auto & entry : m_Outcomes)
  {
    const FileOutcome & outcome = entry.second;
    files.push_back({ { "path", outcome.relativePath },
                      { "kind", outcome.kind },
                      { "status", StatusName(outcome.status, m_ConvertedName) },
                      { "message", outcome.message } });
  }
  nlohmann::json counts = { { "total", m_Outcomes.size() } };
  for (const FileStatus status : { FileStatus::Converted,
                                   FileStatus::NetworkRestored,
                                   FileStatus::Copied,
                                   FileStatus::Resumed,
                                   FileStatus::Skipped,
                                   FileStatus::Failed })
  {
    counts[StatusName(status, m_ConvertedName)] = Count(status);
  }
  const nlohmann::json report = {
    { "command", m_Command }, { "input", m_InputRoot }, { "output", m_OutputRoot },      { "jobs", m_Jobs },
    { "verify", m_Verify },   { "seconds", m_Seconds }, { "exit_status", ExitStatus() }, { "counts", counts },
    { "files", files }
  };
  return report.dump(2) + "\n";
}

} // namespace medcrypt::cli::tree

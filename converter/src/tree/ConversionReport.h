#ifndef medcrypt_ConversionReport_h
#define medcrypt_ConversionReport_h

// The outcome of a tree conversion (`medcrypt encrypt|decrypt IN_DIR OUT_DIR`): one line per input file,
// the counts, the summary printed on stderr and the machine-readable JSON of --report.

#include <cstddef>
#include <map>
#include <ostream>
#include <string>
#include <vector>

namespace medcrypt::cli::tree
{

/** What happened to one input file. */
enum class FileStatus
{
  Converted,       ///< encrypted (encrypt) or restored (decrypt) into the output tree
  NetworkRestored, ///< decrypt: restored by the network alone (no exact envelope): approximate pixels
  Copied,          ///< copied unchanged (non-image DICOM, DICOMDIR, an image that needs no conversion)
  Resumed,         ///< done by an earlier, interrupted run (journal) and left as it is
  Skipped,         ///< not DICOM: not part of the output tree; does not make the run fail
  Failed           ///< should have been converted but could not be: makes the run fail (exit status 1)
};

/** "encrypted"/"restored" (by `convertedName`), "restored (network only, approximate)", "copied",
 * "resumed", "skipped" or "failed". */
std::string
StatusName(FileStatus status, const std::string & convertedName);

/** One input file's outcome. */
struct FileOutcome
{
  /** Relative to the input root, '/'-separated. */
  std::string relativePath;
  /** What the tree walker found it to be (DicomTreeWalker's ToString). */
  std::string kind;
  FileStatus status = FileStatus::Failed;
  /** Why it was copied, skipped or failed; empty for a plain conversion. */
  std::string message;
};

/** The outcomes of one run, in input path order, with the run's parameters. */
class ConversionReport
{
public:
  /** `command` is "encrypt" or "decrypt"; `convertedName` the word for FileStatus::Converted
   * ("encrypted" or "restored"). */
  ConversionReport(std::string command, std::string convertedName, std::string inputRoot, std::string outputRoot);

  /** Adds (or replaces, for the same relative path) one outcome. */
  void
  Add(const FileOutcome & outcome);

  /** How many files have `status`. */
  std::size_t
  Count(FileStatus status) const;

  /** 0 when no file failed, 1 otherwise. */
  int
  ExitStatus() const;

  /** The outcomes sorted by relative path. */
  std::vector<FileOutcome>
  Outcomes() const;

  /** Sets the run's duration and its options as they appear in the JSON ("jobs", "verify"). */
  void
  SetRunDetails(double seconds, unsigned jobs, bool verify);

  /** Prints the summary: one count line, then one line per copied, skipped and failed file with its
   * reason (files converted or resumed are counted only). */
  void
  PrintSummary(std::ostream & out) const;

  /** The report as JSON text: {"command", "input", "output", "jobs", "verify", "seconds",
   * "exit_status", "counts": {"total", "<converted>", "copied", "resumed", "skipped", "failed"},
   * "files": [{"path", "kind", "status", "message"}]}. */
  std::string
  ToJson() const;

private:
  std::string m_Command;
  std::string m_ConvertedName;
  std::string m_InputRoot;
  std::string m_OutputRoot;
  double m_Seconds = 0.0;
  unsigned m_Jobs = 1;
  bool m_Verify = false;
  std::map<std::string, FileOutcome> m_Outcomes;
};

} // namespace medcrypt::cli::tree

#endif

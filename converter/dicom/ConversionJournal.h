#ifndef medcrypt_ConversionJournal_h
#define medcrypt_ConversionJournal_h

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace medcrypt::dicom
{

/** Identifies an input file's content: size, modification time and SHA-256. */
struct InputFingerprint
{
  std::uint64_t size = 0;
  /** Modification time, nanoseconds since the epoch. */
  std::int64_t modifiedNanoseconds = 0;
  /** SHA-256 of the content, 64 lowercase hex digits. */
  std::string sha256;

  bool
  operator==(const InputFingerprint & other) const
  {
    return size == other.size && modifiedNanoseconds == other.modifiedNanoseconds && sha256 == other.sha256;
  }
};

/** One line of the journal. */
struct JournalEntry
{
  /** Relative to the input and output roots, '/'-separated. */
  std::string inputPath;
  InputFingerprint input;
  std::string outputPath;
  /** "done" (output written and renamed into place), "skipped" (not converted, see message) or "failed". */
  std::string status;
  std::string message;
};

/** The resume journal of a batch run: a JSON-lines file in the output root (JournalFileName), one
 * object per finished input file, appended and flushed to disk after each file:
 * {"input": "...", "input_size": N, "input_mtime_ns": N, "input_sha256": "...", "output": "...",
 *  "status": "done", "message": "..."}.
 * A later run with the same output root reads it and skips inputs recorded "done" whose fingerprint is
 * unchanged and whose output file still exists; the latest line for an input wins. An interrupted
 * write leaves at most one incomplete last line, which is ignored. */
class ConversionJournal
{
public:
  /** The journal's file name in the output root. */
  static constexpr const char * JournalFileName = "medcrypt-journal.jsonl";

  /** Opens (creating the directory and the file if needed) the journal of `outputRoot` and reads earlier
   * entries. Throws UserError naming the file when it cannot be created or read, or when a complete
   * line is not a journal entry. */
  explicit ConversionJournal(const std::filesystem::path & outputRoot);

  /** The fingerprint of a file (reads it all for the SHA-256). Throws UserError when it cannot be read. */
  static InputFingerprint
  Fingerprint(const std::filesystem::path & file);

  /** True when `inputPath` was recorded "done" with a fingerprint equal to that of `inputFile` now, and
   * its output file exists under the output root. Size and time are compared first; the content hash
   * only when they match. */
  bool
  IsDone(const std::string & inputPath, const std::filesystem::path & inputFile) const;

  /** Appends an entry and flushes it to disk (fsync) before returning; throws UserError when it cannot. */
  void
  Record(const JournalEntry & entry);

  /** The latest entry per input path, as read and recorded so far. */
  const std::map<std::string, JournalEntry> &
  Entries() const
  {
    return m_Latest;
  }

  /** The journal file. */
  const std::filesystem::path &
  Path() const
  {
    return m_Path;
  }

private:
  std::filesystem::path m_OutputRoot;
  std::filesystem::path m_Path;
  std::map<std::string, JournalEntry> m_Latest;
};

} // namespace medcrypt::dicom

#endif

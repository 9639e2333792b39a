#ifndef medcrypt_TreeConversion_h
#define medcrypt_TreeConversion_h

// The batch runner shared by `medcrypt encrypt IN_DIR OUT_DIR` and `medcrypt decrypt IN_DIR OUT_DIR`:
// walk, output checks, resume journal, a pool of worker threads over files, progress, summary and report.
// What happens to each file is the caller's FileConverter.

#include "ConversionReport.h"
#include "DicomTreeWalker.h"

#include <filesystem>
#include <functional>
#include <optional>
#include <string>

namespace medcrypt::cli::tree
{

/** The tree options common to encrypt and decrypt. */
struct TreeRunSettings
{
  std::filesystem::path input;
  std::filesystem::path output;
  /** Files converted at the same time (>= 1). */
  unsigned jobs = 1;
  /** Existing output files may be replaced (outside a resumed run). */
  bool overwrite = false;
  /** Written only for the report. */
  bool verify = false;
  /** --report FILE.json; empty for none. */
  std::string reportPath;
  /** --fail-on-non-dicom: a file that is not DICOM fails the run instead of being skipped. */
  bool failOnNonDicom = false;
};

/** Converts one file of the tree; called from worker threads (must be thread-safe). `inputFile` is
 * input/relativePath and `outputFile` output/relativePath. Returns the outcome (relativePath and kind
 * are filled in by the runner); exceptions become a Failed outcome with their message. */
using FileConverter = std::function<FileOutcome(const dicom::DicomTreeEntry & entry,
                                                const std::filesystem::path & inputFile,
                                                const std::filesystem::path & outputFile)>;

/** Runs a tree conversion and returns the exit status (0: no file failed; 1: some failed).
 *
 * Before anything is written: refuses (UserError) an output inside, equal to or containing the input,
 * and, unless `overwrite` or the output root holds the journal of an earlier run, an output tree in which
 * any file to be written exists already. Then removes temporary files of an interrupted run, opens the
 * journal (ConversionJournal), skips inputs it records as done and unchanged (status Resumed), sets
 * LibTorch's intra-op threads to 1 (ciphertext pixels then do not depend on `jobs`), and converts the rest with `jobs`
 * worker threads, each holding one file at a time. Journal appends, the report and the progress display
 * are serialised. Prints the progress and the summary on stderr and writes the JSON report when asked. */
int
RunTreeConversion(const std::string & command,
                  const std::string & convertedName,
                  const TreeRunSettings & settings,
                  const FileConverter & convert);

/** Copies `inputFile` to `outputFile` through AtomicFileWriter (temporary name, then rename). */
void
CopyFileAtomically(const std::filesystem::path & inputFile, const std::filesystem::path & outputFile);

/** What encrypt and decrypt both do with an entry that is not an image to convert: not DICOM -> skipped;
 * unreadable -> failed (the walker's note); DICOMDIR and non-image objects -> copied unchanged
 * (`dicomDirNote` explains the DICOMDIR copy); with `pixelsMustDecode`, an image whose pixels DCMTK
 * cannot decode -> failed. Empty for an image, which the command converts itself. */
std::optional<FileOutcome>
HandleEntryWithoutImage(const dicom::DicomTreeEntry & entry,
                        const std::filesystem::path & inputFile,
                        const std::filesystem::path & outputFile,
                        const std::string & dicomDirNote,
                        bool pixelsMustDecode);

} // namespace medcrypt::cli::tree

#endif

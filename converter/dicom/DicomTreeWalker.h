#ifndef medcrypt_DicomTreeWalker_h
#define medcrypt_DicomTreeWalker_h

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace medcrypt::dicom
{

/** What the walker found a file to be. */
enum class DicomFileKind
{
  Image,     ///< DICOM (Part 10 or raw dataset) with Pixel Data (7FE0,0010)
  NonImage,  ///< DICOM without Pixel Data: SR, PR, RT structure set/plan, waveform, KO...
  DicomDir,  ///< a DICOMDIR (media directory): noted, never converted
  NotDicom,  ///< not a DICOM file
  Unreadable ///< cannot be opened, a broken link, or DICOM that DCMTK cannot parse (truncated, corrupt)
};

/** "image", "non-image", "DICOMDIR", "not DICOM" or "unreadable". */
const char *
ToString(DicomFileKind kind);

/** One regular file of the input tree. */
struct DicomTreeEntry
{
  /** The path relative to the input root, '/'-separated: the output mirrors it. */
  std::string relativePath;
  DicomFileKind kind = DicomFileKind::NotDicom;
  std::uint64_t sizeBytes = 0;
  /** True for a Part 10 file (preamble and meta header), false for a raw dataset. */
  bool part10 = false;
  /** Read from the file (empty when absent or not DICOM). */
  std::string sopClassUid;
  std::string sopInstanceUid;
  std::string seriesInstanceUid;
  std::string modality;
  /** The transfer syntax the dataset is encoded in (from the meta header, or detected). */
  std::string transferSyntaxUid;
  /** For images: whether the Pixel Data can be decoded (IsDecodableTransferSyntax, and the image pixel
   * module's Rows, Columns and Bits Allocated are present). */
  bool pixelDataDecodable = false;
  /** Why a file is NotDicom/Unreadable/DicomDir, or why an image cannot be decoded; empty otherwise. */
  std::string note;
};

/** The result of a walk. */
struct DicomTree
{
  std::filesystem::path root;
  /** Every regular file, sorted by relative path. */
  std::vector<DicomTreeEntry> entries;
  /** Image entries grouped by Series Instance UID (indices into entries, in path order). Images without
   * a Series Instance UID are grouped under the empty string. */
  std::map<std::string, std::vector<std::size_t>> series;
  /** Directories that were not entered again because they were already visited (a symbolic-link loop or
   * a second link to the same directory), relative to the root. */
  std::vector<std::string> skippedDirectoryLinks;

  /** The number of entries of `kind`. */
  std::size_t
  Count(DicomFileKind kind) const;
};

/** Walks a directory tree and classifies every file (see DicomFileKind).
 *
 * Symbolic links are followed; a directory (device and inode) is entered once, so link loops end.
 * A DICOMDIR is recognised by its name or its Media Storage SOP Class (1.2.840.10008.1.3.10).
 * Files are parsed with DCMTK (Part 10 or raw dataset, transfer syntax detected) with large values left
 * on disk, so the walk reads little of each image. Nothing is written. */
class DicomTreeWalker
{
public:
  /** Walks `inputRoot`. Throws UserError when it is not a readable directory. */
  static DicomTree
  Walk(const std::filesystem::path & inputRoot);

  /** Classifies one file; `relativePath` is stored in the entry as given. Never throws for a bad file:
   * the reason goes to the entry's note. */
  static DicomTreeEntry
  Classify(const std::filesystem::path & file, const std::string & relativePath);

  /** Throws UserError when `outputRoot` is `inputRoot`, lies inside it, or contains it (the output would
   * write into the input tree). Paths are compared after resolving symbolic links (the output need not
   * exist yet). */
  static void
  CheckOutputLocation(const std::filesystem::path & inputRoot, const std::filesystem::path & outputRoot);
};

} // namespace medcrypt::dicom

#endif

#ifndef medcrypt_DicomFileIO_h
#define medcrypt_DicomFileIO_h

#include <dcmtk/dcmdata/dcfilefo.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

namespace medcrypt::dicom
{

/** How a file on disk looks before DCMTK parses it. */
enum class DicomFileShape
{
  Part10,     ///< 128-byte preamble and "DICM"
  RawDataset, ///< no preamble: starts with a plausible element tag (group 0000, 0002, 0008, even and < 0100)
  NotDicom    ///< neither
};

/** Looks at the first 132 bytes of `path` (no parsing). Throws UserError when the file cannot be opened. */
DicomFileShape
SniffDicomFile(const std::filesystem::path & path);

/** Loads a DICOM file, Part 10 or a raw dataset (DCMTK ERM_autoDetect, transfer syntax detected).
 * Values longer than `maxReadLength` bytes stay on disk until used (DCMTK's delayed loading), so
 * classifying a large file is cheap; pass 0 to read everything now. Throws UserError naming the file
 * and DCMTK's reason for a file that is not DICOM or is truncated/corrupt. */
std::unique_ptr<DcmFileFormat>
LoadDicomFile(const std::filesystem::path & path, std::uint32_t maxReadLength = 0);

/** Writes `file` as a Part 10 file in transfer syntax `xfer` (meta header updated: transfer syntax,
 * SOP class and instance). Throws UserError naming the path when DCMTK cannot write it (for
 * instance, compressed Pixel Data whose representation for `xfer` is missing). */
void
SaveDicomFile(DcmFileFormat & file, E_TransferSyntax xfer, const std::filesystem::path & path);

} // namespace medcrypt::dicom

#endif

#ifndef medcrypt_NetworkOnlyRestore_h
#define medcrypt_NetworkOnlyRestore_h

// The restore of an encrypted DICOM image whose exact envelope is missing (stripped by a PACS, or
// neural-only): the network decrypts the ciphertext planes and the sealed header's original attributes
// rebuild the original dataset (scheme sections 5 and 6). The pixels are approximate.

#include "ConversionReport.h"
#include "MedcryptPrivateBlock.h"
#include "RestoredDatasetBuilder.h"

#include "medcrypt/NeuralCipher.h"
#include "medcrypt/UserKey.h"

#include <dcmtk/dcmdata/dcfilefo.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <string>

namespace medcrypt::cli::tree
{

/** What the network-only restore needs; shared read-only by all worker threads. */
struct NetworkRestoreContext
{
  /** The user key (opens the sealed cipher header and derives the feature keys). */
  UserKey key;
  /** Gives the model that encrypted (loaded on first use; must be thread-safe; throws UserError when
   * there is none). */
  std::function<std::shared_ptr<const NeuralCipher>()> model;
  /** Defect-correction steps for intact ciphertexts (itk::NeuralDecryptImageFilter::SetRefinementIterations). */
  unsigned int refinementIterations = DefaultRefinementIterations;
};

/** A dataset restored by the network and whether the ciphertext pixels were those the header was sealed
 * for. */
struct NetworkRestoredFile
{
  /** The rebuilt dataset; transferSyntax is always EXS_LittleEndianExplicit. */
  dicom::RestoredFile restored;
  /** False when the ciphertext pixels differ from the header's pixel digest (changed after encryption). */
  bool pixelDigestMatches = true;
  /** The transfer syntax of the original file (from the header), which the restore cannot reproduce. */
  E_TransferSyntax originalTransferSyntax = EXS_LittleEndianExplicit;
};

/** Restores `encrypted` (whose MedCrypt block `parts` has no envelope) with the network alone: opens the
 * cipher header with `key`, runs itk::NeuralDecryptImageFilter (UseEnvelope off) over the ciphertext
 * planes as the 3-D image encryption made (slice frame * samplesPerPixel + channel), rounds and clamps the
 * decrypted values to the range of the original Bits Stored and Pixel Representation, packs them in the
 * original Bits Allocated, High Bit, Samples per Pixel, Planar Configuration and frames, and rebuilds the
 * dataset from the header's original attributes (RestoredDatasetBuilder: original UIDs and pixel module,
 * MedCrypt block removed). Native or RLE YBR_FULL_422 becomes YBR_FULL and JPEG-family YBR becomes RGB,
 * as DicomPixelData decoded them for encryption. Throws AuthenticationError (wrong key, changed header),
 * UserError naming `origin` (no original attributes, Pixel Data that does not fit the header). */
NetworkRestoredFile
RestoreDicomImageWithNetwork(DcmFileFormat & encrypted,
                             const dicom::EncryptedParts & parts,
                             const UserKey & key,
                             std::shared_ptr<const NeuralCipher> model,
                             const std::string & origin,
                             unsigned int refinementIterations = DefaultRefinementIterations);

/** The decrypt outcome of a file without exact envelope: with a `context` (user key given), restores it
 * by RestoreDicomImageWithNetwork, writes it to `outputFile` (atomically, Explicit VR Little Endian),
 * prints a warning on stderr when the pixel digest does not match, and returns
 * FileStatus::NetworkRestored with a note; without one (recipient private key), FileStatus::Failed. */
FileOutcome
RestoreWithoutEnvelope(DcmFileFormat & encrypted,
                       const dicom::EncryptedParts & parts,
                       const std::filesystem::path & outputFile,
                       const NetworkRestoreContext * context,
                       const std::string & origin);

} // namespace medcrypt::cli::tree

#endif

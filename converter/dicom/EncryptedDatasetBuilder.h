#ifndef medcrypt_EncryptedDatasetBuilder_h
#define medcrypt_EncryptedDatasetBuilder_h

#include "MedcryptPrivateBlock.h"

#include "medcrypt/ByteView.h"
#include "medcrypt/KeyDerivation.h"

#include <dcmtk/dcmdata/dcfilefo.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace medcrypt::dicom
{

/** The ciphertext pixels that replace an image's Pixel Data: unsigned 16-bit, frame by frame, each frame
 * samplesPerPixel planes of rows x columns (row-major). samplesPerPixel is 1 for grey originals and 3 for
 * colour ones (one encrypted plane per original channel). */
struct EncryptedFrames
{
  std::uint32_t rows = 0;
  std::uint32_t columns = 0;
  std::uint32_t frames = 1;
  std::uint16_t samplesPerPixel = 1;
  std::vector<std::uint16_t> samples;
};

/** The text of Derivation Description (0008,2111) in encrypted files. */
inline constexpr const char * EncryptedDerivationDescription =
  "MedCrypt deep-learning feature-encoding encryption; the ciphertext is not a diagnostic image. "
  "Restore with medcrypt decrypt and the key.";

/** Builds the encrypted dataset of one DICOM image (scheme section 6).
 *
 * The output is a copy of the original with: new SOP Instance UID and Series Instance UID (DeriveUid
 * under the builder's secret; absent UIDs stay absent) and Media Storage SOP Instance UID; Image Type
 * DERIVED\SECONDARY (further values kept); Derivation Description; Burned In Annotation NO; the pixel
 * module of the ciphertext (Rows/Columns of the frames, Bits Allocated/Stored 16, High Bit 15, Pixel
 * Representation 0; MONOCHROME2 for one sample per pixel, RGB with Planar Configuration 1 for three, so
 * each encrypted channel is one plane and the frame count stays that of the original); Rescale
 * Intercept/Slope 0/1 and Window Center/Width 32767.5/65536 where present (also inside the functional
 * groups' Pixel Value Transformation and Frame VOI LUT items), Presentation LUT Shape IDENTITY where
 * present; smallest/largest pixel values, pixel padding, Modality/VOI LUT sequences, window
 * explanations, VOI LUT Function, palettes, ICC profile, colour space, offset tables removed; Pixel Data
 * the frames as OW; MedCrypt's private block with the format version and the sealed cipher header; and,
 * unless neural-only, the exact envelope as Encrypted Attributes Sequence. Write it with
 * EXS_LittleEndianExplicit. */
class EncryptedDatasetBuilder
{
public:
  /** `uidSecret`: the key-derived secret of the new UIDs (DeriveSubkey(key, UidKeyInfo)); copied and
   * wiped when the builder dies. Throws std::invalid_argument when it is empty. */
  explicit EncryptedDatasetBuilder(ByteView uidSecret);

  /** The encrypted replacement of a UID (DeriveUid under this builder's secret). */
  std::string
  ReplacementUid(const std::string & originalUid) const;

  /** The encrypted dataset of `original` (not changed, apart from delayed values being loaded).
   * `parts` carries the sealed cipher header and, when parts.hasEnvelope, the CMS envelope and its
   * content transfer syntax. Throws std::invalid_argument when `frames` does not fit the original
   * (frame count, samples per pixel, sample count), UserError (naming `origin`) when the original
   * cannot be read completely. */
  std::unique_ptr<DcmFileFormat>
  Build(DcmFileFormat & original,
        const EncryptedFrames & frames,
        const EncryptedParts & parts,
        const std::string & origin) const;

private:
  SecretBytes m_UidSecret;
};

} // namespace medcrypt::dicom

#endif

#ifndef medcrypt_ModifiedAttributes_h
#define medcrypt_ModifiedAttributes_h

#include "medcrypt/ByteView.h"

#include <dcmtk/dcmdata/dcfilefo.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace medcrypt::dicom
{

/** The Encrypted Content Transfer Syntax of the exact envelope: Deflated Explicit VR Little Endian. */
inline constexpr const char * EncryptedContentTransferSyntaxUid = "1.2.840.10008.1.2.1.99";

/** The top-level attributes that encryption (MedCrypt DICOM format version 1) may change, add or remove:
 * UIDs, Image Type, Derivation Description, Burned In Annotation, the image pixel module, rescale,
 * window, VOI/Modality LUTs, palettes, ICC profile, Presentation LUT Shape, the functional group
 * sequences, an earlier Encrypted Attributes Sequence, and Pixel Data with its offset tables.
 * Restoring removes each of them from the encrypted dataset and puts back the original ones. The list is
 * part of the format: changing it needs a new MedcryptDicomFormatVersion. */
const std::vector<DcmTagKey> &
TouchedAttributes();

/** The palette colour lookup tables, ICC profile and colour space: they describe the original pixels'
 * colour and mean nothing for the 16-bit MONOCHROME2/RGB ciphertext, so encryption removes them (and
 * TouchedAttributes() includes them, so restoring puts them back). */
const std::vector<DcmTagKey> &
ColourDescriptionAttributes();

/** The Modified Attributes Sequence item of `original` (PS3.3 C.12.1.1.4.1): a copy of every
 * TouchedAttributes() element present in the dataset, plus, in MedCrypt's private block of the item,
 * the original transfer syntax UID and, for encapsulated (compressed) Pixel Data, the exact encapsulated
 * value (see block::EncapsulatedPixelData), because DICOM encodes nested Pixel Data natively only.
 * Without `includePixelData` the Pixel Data and its offset tables are left out (for the sealed header,
 * whose network path rebuilds pixels). Loads delayed values of `original` into memory. */
std::unique_ptr<DcmItem>
CollectModifiedAttributes(DcmFileFormat & original, bool includePixelData, const std::string & origin);

/** The plaintext of the exact envelope: a dataset holding one Modified Attributes Sequence (0400,0550)
 * with `item` as its only item, encoded in EncryptedContentTransferSyntaxUid (explicit VR little endian,
 * then raw deflate, RFC 1951, as PS3.5 A.5 specifies). */
std::vector<std::uint8_t>
SerializeModifiedAttributes(const DcmItem & item);

/** The inverse of SerializeModifiedAttributes: the one item of the Modified Attributes Sequence.
 * `transferSyntaxUid` is the Encrypted Content Transfer Syntax UID read from the file (Deflated or plain
 * Explicit VR Little Endian are accepted). Throws UserError naming `origin` for anything else or for
 * bytes that do not decode into exactly such a dataset. */
std::unique_ptr<DcmItem>
ParseModifiedAttributes(ByteView bytes, const std::string & transferSyntaxUid, const std::string & origin);

} // namespace medcrypt::dicom

#endif

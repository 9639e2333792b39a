#ifndef medcrypt_MedcryptPrivateBlock_h
#define medcrypt_MedcryptPrivateBlock_h

#include <dcmtk/dcmdata/dcitem.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace medcrypt::dicom
{

/** The private creator of MedCrypt's private block (scheme section 6). */
inline constexpr const char * MedcryptPrivateCreator = "MEDCRYPT 1";
/** The odd group the block lives in. */
inline constexpr std::uint16_t MedcryptPrivateGroup = 0x0099;
/** The version of the DICOM mapping that writes the block (this file's layout and the touched
 * attributes of ModifiedAttributes.h). */
inline constexpr std::uint32_t MedcryptDicomFormatVersion = 1;

/** Element offsets inside the block (0099,xxNN), xx being the block reserved by the creator. */
namespace block
{
/** UL: MedcryptDicomFormatVersion. In the encrypted dataset. */
inline constexpr std::uint8_t FormatVersion = 0x01;
/** OB: the sealed cipher header (opaque bytes, CipherHeader.h). In the encrypted dataset. */
inline constexpr std::uint8_t CipherHeader = 0x02;
/** UL: the cipher header's length in bytes (an odd-length OB value is padded with a zero byte; the
 * padding is dropped on reading). In the encrypted dataset. */
inline constexpr std::uint8_t CipherHeaderLength = 0x03;
/** UI: the original file's transfer syntax. In the Modified Attributes item. */
inline constexpr std::uint8_t OriginalTransferSyntax = 0x10;
/** OB: the original encapsulated Pixel Data: its items (Basic Offset Table and fragments), each with
 * its (FFFE,E000) tag and 32-bit length, little-endian, without the sequence delimiter. In the
 * Modified Attributes item, only when the original Pixel Data was encapsulated. */
inline constexpr std::uint8_t EncapsulatedPixelData = 0x11;
} // namespace block

/** The private-creator element number (0x10..0xFF) of MedCrypt's block in `item`, if it has one. */
std::optional<std::uint16_t>
FindMedcryptBlock(DcmItem & item);

/** The block of MedCrypt in `item`: the existing one, or the first free creator slot of group 0099,
 * which is then claimed with MedcryptPrivateCreator. Throws UserError (naming `origin`) when all 240
 * slots are taken. */
std::uint16_t
ReserveMedcryptBlock(DcmItem & item, const std::string & origin);

/** The tag (0099, block << 8 | offset) with its VR. */
DcmTag
MedcryptTag(std::uint16_t block, std::uint8_t offset, DcmEVR vr);

/** Removes MedCrypt's creator element and every element of its block from `item`; no-op without one. */
void
RemoveMedcryptBlock(DcmItem & item);

/** What encryption adds to a dataset: the private block and the exact envelope. */
struct EncryptedParts
{
  std::uint32_t formatVersion = MedcryptDicomFormatVersion;
  std::vector<std::uint8_t> cipherHeader;
  /** False for a neural-only file (or a file whose envelope was stripped). */
  bool hasEnvelope = false;
  /** Encrypted Content Transfer Syntax UID (0400,0510). */
  std::string envelopeTransferSyntaxUid;
  /** Encrypted Content (0400,0520): the CMS bytes (as stored: an odd-length envelope comes back with
   * the zero padding byte, which OpenEnvelope accepts). */
  std::vector<std::uint8_t> envelope;
};

/** Adds the private block (creator, format version, cipher header and its length) and, when parts.hasEnvelope, the
 * Encrypted Attributes Sequence (0400,0500) with one item holding (0400,0510) and (0400,0520). Any
 * earlier Encrypted Attributes Sequence is replaced. */
void
WriteEncryptedParts(DcmItem & dataset, const EncryptedParts & parts, const std::string & origin);

/** Reads what WriteEncryptedParts wrote: nothing (std::nullopt) when the dataset has no MedCrypt block.
 * hasEnvelope is set when an Encrypted Attributes Sequence item with Encrypted Content exists. Throws
 * UserError naming `origin` for a block without format version or cipher header, or a version this
 * program does not know. */
std::optional<EncryptedParts>
ReadEncryptedParts(DcmItem & dataset, const std::string & origin);

} // namespace medcrypt::dicom

#endif

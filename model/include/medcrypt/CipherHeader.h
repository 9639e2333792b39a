#ifndef medcrypt_CipherHeader_h
#define medcrypt_CipherHeader_h

#include "medcrypt/ByteView.h"
#include "medcrypt/FeatureKeys.h"
#include "medcrypt/SampleType.h"
#include "medcrypt/TileDigest.h"
#include "medcrypt/UserKey.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace medcrypt
{

/** The cipher format version that encryption writes (docs/format.md, "Cipher header"). Versions 4, 3 and
 * 2 store every ciphertext tile under its keyed permutation (CiphertextPermutation.h), in the layouts of
 * CiphertextLayout.h; version 4 also seals a digest of every 16 x 16 pool of every stored tile
 * (PoolDigests.h); version 1 stores the network's ciphertext as it comes out (the paper's layout).
 * MedCrypt reads and, on request, writes all four. */
inline constexpr std::uint32_t CipherHeaderVersion = 4;

/** The oldest cipher format version that this MedCrypt reads and writes. */
inline constexpr std::uint32_t OldestCipherHeaderVersion = 1;

/** True when the tiles of a ciphertext of format `version` are stored permuted (version 2 and later; the
 * layout: CiphertextLayoutOf(version)). */
constexpr bool
StoresPermutedTiles(std::uint32_t version)
{
  return version >= 2;
}

/** The 16 bytes a cipher header starts with: "MEDCRYPT-HEADER" and a zero byte. */
inline constexpr std::array<std::uint8_t, 16> CipherHeaderMagic = { 'M', 'E', 'D', 'C', 'R', 'Y', 'P', 'T',
                                                                    '-', 'H', 'E', 'A', 'D', 'E', 'R', 0 };

/** Where the original image lay in space (ITK's geometry), dimension 2 or 3. */
struct ImageGeometry
{
  std::vector<std::uint64_t> size; ///< pixels along x, y (, z); its length is the dimension
  std::vector<double> spacing;     ///< one per axis, finite and > 0
  std::vector<double> origin;      ///< one per axis, finite
  std::vector<double> direction;   ///< D x D, row-major: direction[i * D + j] is ITK's Direction(i, j)

  /** The number of axes (the length of size). */
  unsigned
  Dimension() const
  {
    return static_cast<unsigned>(size.size());
  }
};

/** How the image was cut into tiles (docs/format.md, "Tiles"): columns = ceil(size x / tileSize),
 * rows = ceil(size y / tileSize), slices = size z (1 for 2-D). Tiles are numbered slice by slice,
 * row by row, column by column. */
struct TileGrid
{
  std::uint32_t tileSize = 256;
  std::uint32_t columns = 0;
  std::uint32_t rows = 0;
  std::uint32_t slices = 0;

  /** columns * rows * slices. */
  std::uint64_t
  Count() const
  {
    return std::uint64_t{ columns } * rows * slices;
  }
};

/** The grid of `geometry` cut into tiles of `tileSize` (tileSize >= 1). */
TileGrid
TileGridFor(const ImageGeometry & geometry, std::uint32_t tileSize);

/** The clear part of the cipher header: readable without the key (`medcrypt info`). Everything here
 * except pixelDigest is authenticated (it is the AES-GCM additional data of the sealed part). */
struct ClearHeader
{
  /** The format version: read from the file by OpenHeader; SealHeader writes it and refuses values
   * outside OldestCipherHeaderVersion..CipherHeaderVersion. */
  std::uint32_t formatVersion = CipherHeaderVersion;
  /** The model id (hash of the weights) of the network that encrypted the pixels. */
  std::string modelId;
  /** The feature-key schedule of the tiles (docs/format.md, "Key schedules"). */
  KeySchedule keySchedule = KeySchedule::Hardened;
  /** The original image's geometry. */
  ImageGeometry geometry;
  /** The original image's stored pixel type. */
  SampleType pixelType = SampleType::UInt16;
  /** The original image's minimum and maximum (the tiles were normalised with them). */
  double intensityMinimum = 0.0;
  double intensityMaximum = 0.0;
  /** The tile grid. */
  TileGrid tiles;
  /** True when encryption left out the exact envelope (`--neural-only`): only the network can
   * decrypt. */
  bool neuralOnly = false;
  /** Attributes that are not secret and that a reader without key may want to see, as the text of a
   * JSON object; empty for none. For DICOM: only what the encrypted file shows anyway or what tells
   * nothing about the patient or the original pixels (for instance the original transfer syntax);
   * never UIDs, names, dates, or pixel statistics. Secrets go to SealedHeader::originalAttributes. */
  std::string clearAttributesJson;
  /** SHA-256 of the ciphertext pixels as written (their stored bytes, little-endian, in file order).
   * NOT authenticated in the clear part: a cropped or noised ciphertext must still open its header.
   * A copy is sealed too; see CipherHeader::clearDigestAuthentic. */
  std::array<std::uint8_t, 32> pixelDigest{};
};

/** What the network needs per tile to decrypt: h and p of the plaintext tile (the key-schedule
 * input) and the encrypted fusion coefficients EP_1..EP_L (any number of levels, any lengths). */
struct TileSecrets
{
  TileDigest digest;
  std::vector<std::vector<float>> encryptedParameters;
  /** Format version 4 and later: ComputePoolDigests of the stored tile (PoolDigestBytes per pool of the
   * version's layout); empty in earlier versions. */
  std::vector<std::uint8_t> poolDigests;
};

/** The sealed part of the cipher header: AES-256-GCM under DeriveSubkey(key, HeaderKeyInfo). */
struct SealedHeader
{
  /** One entry per tile, in tile order (ClearHeader::tiles). */
  std::vector<TileSecrets> tiles;
  /** Opaque bytes for the original attributes that encryption changed (for DICOM: the original pixel
   * module attributes and UIDs); empty for none. */
  std::vector<std::uint8_t> originalAttributes;
};

/** A whole cipher header. */
struct CipherHeader
{
  ClearHeader clear;
  SealedHeader sealed;
  /** Set by OpenHeader: false when the clear part's pixel digest differs from the copy sealed with
   * the key (someone changed it). OpenHeader then puts the sealed, authentic copy into
   * clear.pixelDigest, so comparing clear.pixelDigest with the pixels is always meaningful after
   * OpenHeader. Ignored by SealHeader. */
  bool clearDigestAuthentic = true;
};

/** Checks a header's consistency (dimension 2 or 3, finite geometry with positive spacing,
 * minimum <= maximum, the tile grid of the geometry, one TileSecrets per tile with pool digests for every
 * pool from version 4 on and none before, a JSON object or nothing in clearAttributesJson); throws
 * UserError naming `origin` otherwise. */
void
ValidateCipherHeader(const CipherHeader & header, const std::string & origin);

/** Serialises and seals a header (docs/format.md, "Cipher header"): the clear part as canonical JSON, the
 * sealed part as binary records encrypted with AES-256-GCM under DeriveSubkey(key, HeaderKeyInfo)
 * and a fresh random nonce, with the clear part's bytes (all bytes before the pixel digest) as
 * additional data. Throws UserError when ValidateCipherHeader refuses the header. */
std::vector<std::uint8_t>
SealHeader(const CipherHeader & header, const UserKey & key);

/** Parses and opens a sealed header. `origin` (a file name) names the input in errors. Throws
 * UserError for input that is not a complete MedCrypt cipher header (wrong magic, unknown version,
 * truncated, oversized, trailing bytes, malformed JSON) and AuthenticationError for a wrong key or
 * changed bytes (except the pixel digest, which is not authenticated: see clearDigestAuthentic). */
CipherHeader
OpenHeader(ByteView bytes, const UserKey & key, const std::string & origin);

/** Parses the clear part only, without the key (the sealed part is checked for its length, not
 * opened; nothing in the result is authenticated). Throws UserError like OpenHeader. */
ClearHeader
ReadClearPart(ByteView bytes, const std::string & origin);

} // namespace medcrypt

#endif

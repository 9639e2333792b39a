#include "medcrypt/CipherHeader.h"

#include "ByteRecords.h"
#include "medcrypt/AuthenticatedEncryption.h"
#include "medcrypt/CiphertextLayout.h"
#include "medcrypt/Error.h"
#include "medcrypt/KeyDerivation.h"
#include "medcrypt/PoolDigests.h"

#include <nlohmann/json.hpp>
#include <openssl/crypto.h>

#include <cmath>
#include <cstring>
#include <limits>

namespace medcrypt
{

namespace
{

// Container layout (docs/format.md, "Cipher header"):
//   magic[16] | u32 version | u32 J | clear JSON[J] | pixel digest[32] | nonce[12] | u32 S | sealed[S] | tag[16]
constexpr std::size_t FixedContainerBytes = 16 + 4 + 4 + 32 + GcmNonceSize + 4 + GcmTagSize; // 88
constexpr std::size_t MaximumClearJsonBytes = std::size_t{ 16 } << 20;                       // 16 MiB
// Each tile record holds at least h (32), p (1) and the level count (4).
constexpr std::size_t MinimumTileRecordBytes = 32 + 1 + 4;

const char * const TruncatedMessage =
  "the cipher header is truncated: the file was cut short or damaged in transfer; copy it again from its source";
const char * const DamagedSealedMessage =
  "the sealed part of the cipher header is malformed although it authenticated: it was written by a faulty "
  "program; encrypt the original image again";

struct ContainerParts
{
  std::uint32_t version = 0;
  ByteView authenticated; // magic .. end of the clear JSON: the AES-GCM AAD
  ByteView clearJson;
  std::array<std::uint8_t, 32> pixelDigest{};
  std::array<std::uint8_t, GcmNonceSize> nonce{};
  ByteView sealed;
  std::array<std::uint8_t, GcmTagSize> tag{};
};

bool
StartsWithMagic(ByteView bytes)
{
  const std::size_t n = std::min(bytes.size(), CipherHeaderMagic.size());
  return n > 0 && std::memcmp(bytes.data(), CipherHeaderMagic.data(), n) == 0;
}

ContainerParts
SplitContainer(ByteView bytes, const std::string & origin)
{
  if (!StartsWithMagic(bytes))
  {
    throw UserError(origin +
                    (bytes.empty() ? ": is empty"
                                   : ": is not a MedCrypt cipher header (it does not start with \"MEDCRYPT-HEADER\")") +
                    "; give the header written by 'medcrypt encrypt' (the .mcheader sidecar or the DICOM private "
                    "element of creator \"MEDCRYPT 1\")");
  }
  detail::ByteReader reader(bytes, origin, TruncatedMessage);
  reader.Bytes(CipherHeaderMagic.size(), "the magic");
  ContainerParts parts;
  parts.version = reader.U32("the version");
  if (parts.version < OldestCipherHeaderVersion || parts.version > CipherHeaderVersion)
  {
    throw UserError(origin + ": cipher header version " + std::to_string(parts.version) + " is not supported (this " +
                    "MedCrypt reads versions " + std::to_string(OldestCipherHeaderVersion) + " to " +
                    std::to_string(CipherHeaderVersion) + "); use the MedCrypt release that wrote the file");
  }
  const std::uint32_t clearLength = reader.U32("the clear part's length");
  if (clearLength > MaximumClearJsonBytes)
  {
    throw UserError(origin + ": the cipher header declares a clear part of " + std::to_string(clearLength) +
                    " bytes (at most " + std::to_string(MaximumClearJsonBytes) +
                    " are allowed): the header is damaged; copy the file again from its source");
  }
  parts.clearJson = reader.Bytes(clearLength, "the clear part");
  parts.authenticated = bytes.Slice(0, reader.Position());
  reader.Into(parts.pixelDigest, "the pixel digest");
  reader.Into(parts.nonce, "the nonce");
  const std::uint32_t sealedLength = reader.U32("the sealed part's length");
  parts.sealed = reader.Bytes(sealedLength, "the sealed part");
  reader.Into(parts.tag, "the tag");
  if (reader.Remaining() != 0)
  {
    throw UserError(origin + ": " + std::to_string(reader.Remaining()) +
                    " bytes follow the end of the cipher header: the header is damaged or two files were joined; "
                    "copy it again from its source");
  }
  return parts;
}

// ---- clear part: canonical JSON --------------------------------------------------------------------------------

nlohmann::json
ClearToJson(const ClearHeader & clear)
{
  nlohmann::json json; // std::map keys: sorted, so dump() is canonical
  json["model_id"] = clear.modelId;
  json["key_schedule"] = ToString(clear.keySchedule);
  json["geometry"] = { { "size", clear.geometry.size },
                       { "spacing", clear.geometry.spacing },
                       { "origin", clear.geometry.origin },
                       { "direction", clear.geometry.direction } };
  json["pixel_type"] = std::string(ToString(clear.pixelType));
  json["intensity"] = { { "minimum", clear.intensityMinimum }, { "maximum", clear.intensityMaximum } };
  json["tiles"] = { { "size", clear.tiles.tileSize },
                    { "columns", clear.tiles.columns },
                    { "rows", clear.tiles.rows },
                    { "slices", clear.tiles.slices } };
  json["neural_only"] = clear.neuralOnly;
  if (!clear.clearAttributesJson.empty())
  {
    json["attributes"] = nlohmann::json::parse(clear.clearAttributesJson);
  }
  return json;
}

[[noreturn]] void
DamagedClearPart(const std::string & origin, const std::string & detail)
{
  throw UserError(origin + ": the clear part of the cipher header is damaged (" + detail +
                  "); copy the file again from its source");
}

const nlohmann::json &
Field(const nlohmann::json & object, const char * name, const std::string & origin)
{
  const auto it = object.find(name);
  if (it == object.end())
  {
    DamagedClearPart(origin, std::string("no \"") + name + "\"");
  }
  return *it;
}

double
NumberField(const nlohmann::json & object, const char * name, const std::string & origin)
{
  const auto & value = Field(object, name, origin);
  if (!value.is_number())
  {
    DamagedClearPart(origin, std::string("\"") + name + "\" is not a number");
  }
  return value.get<double>();
}

std::uint32_t
U32Field(const nlohmann::json & object, const char * name, const std::string & origin)
{
  const auto & value = Field(object, name, origin);
  if (!value.is_number_unsigned() || value.get<std::uint64_t>() > std::numeric_limits<std::uint32_t>::max())
  {
    DamagedClearPart(origin, std::string("\"") + name + "\" is not an unsigned 32-bit integer");
  }
  return value.get<std::uint32_t>();
}

std::vector<double>
NumberArrayField(const nlohmann::json & object, const char * name, const std::string & origin)
{
  const auto & value = Field(object, name, origin);
  if (!value.is_array())
  {
    DamagedClearPart(origin, std::string("\"") + name + "\" is not an array");
  }
  std::vector<double> numbers;
  for (const auto & element : value)
  {
    if (!element.is_number())
    {
      DamagedClearPart(origin, std::string("\"") + name + "\" holds a non-number");
    }
    numbers.push_back(element.get<double>());
  }
  return numbers;
}

ClearHeader
ClearFromJson(ByteView text, const std::string & origin)
{
  nlohmann::json json;
  try
  {
    json = nlohmann::json::parse(text.begin(), text.end());
  }
  catch (const nlohmann::json::exception &)
  {
    DamagedClearPart(origin, "not JSON");
  }
  if (!json.is_object())
  {
    DamagedClearPart(origin, "not a JSON object");
  }
  ClearHeader clear;
  const auto & modelId = Field(json, "model_id", origin);
  const auto & schedule = Field(json, "key_schedule", origin);
  const auto & pixelType = Field(json, "pixel_type", origin);
  const auto & neuralOnly = Field(json, "neural_only", origin);
  const auto & geometry = Field(json, "geometry", origin);
  const auto & intensity = Field(json, "intensity", origin);
  const auto & tiles = Field(json, "tiles", origin);
  if (!modelId.is_string() || !schedule.is_string() || !pixelType.is_string() || !neuralOnly.is_boolean() ||
      !geometry.is_object() || !intensity.is_object() || !tiles.is_object())
  {
    DamagedClearPart(origin, "a field has the wrong type");
  }
  clear.modelId = modelId.get<std::string>();
  const std::string scheduleName = schedule.get<std::string>();
  if (scheduleName != ToString(KeySchedule::Hardened) && scheduleName != ToString(KeySchedule::Paper))
  {
    DamagedClearPart(origin, "unknown key schedule \"" + scheduleName + "\"");
  }
  clear.keySchedule = KeyScheduleFromString(scheduleName);
  clear.pixelType = SampleTypeFromString(pixelType.get<std::string>(), origin);
  clear.neuralOnly = neuralOnly.get<bool>();

  const auto & size = Field(geometry, "size", origin);
  if (!size.is_array())
  {
    DamagedClearPart(origin, "\"size\" is not an array");
  }
  for (const auto & element : size)
  {
    if (!element.is_number_unsigned())
    {
      DamagedClearPart(origin, "\"size\" holds a value that is not an unsigned integer");
    }
    clear.geometry.size.push_back(element.get<std::uint64_t>());
  }
  clear.geometry.spacing = NumberArrayField(geometry, "spacing", origin);
  clear.geometry.origin = NumberArrayField(geometry, "origin", origin);
  clear.geometry.direction = NumberArrayField(geometry, "direction", origin);

  clear.intensityMinimum = NumberField(intensity, "minimum", origin);
  clear.intensityMaximum = NumberField(intensity, "maximum", origin);

  clear.tiles.tileSize = U32Field(tiles, "size", origin);
  clear.tiles.columns = U32Field(tiles, "columns", origin);
  clear.tiles.rows = U32Field(tiles, "rows", origin);
  clear.tiles.slices = U32Field(tiles, "slices", origin);

  const auto attributes = json.find("attributes");
  if (attributes != json.end())
  {
    if (!attributes->is_object())
    {
      DamagedClearPart(origin, "\"attributes\" is not a JSON object");
    }
    clear.clearAttributesJson = attributes->dump();
  }
  return clear;
}

// ---- sealed part: binary records -----------------------------------------------------------------------------------

std::vector<std::uint8_t>
SealedToBytes(const CipherHeader & header)
{
  detail::ByteWriter writer;
  writer.Bytes(ByteView(header.clear.pixelDigest));
  writer.U32(static_cast<std::uint32_t>(header.sealed.tiles.size()));
  for (const TileSecrets & tile : header.sealed.tiles)
  {
    writer.Bytes(ByteView(tile.digest.h));
    writer.U8(tile.digest.p);
    writer.U32(static_cast<std::uint32_t>(tile.encryptedParameters.size()));
    for (const auto & level : tile.encryptedParameters)
    {
      writer.U32(static_cast<std::uint32_t>(level.size()));
      for (float value : level)
      {
        writer.F32(value);
      }
    }
    if (SealsPoolDigests(header.clear.formatVersion))
    {
      writer.U32(static_cast<std::uint32_t>(tile.poolDigests.size()));
      writer.Bytes(ByteView(tile.poolDigests));
    }
  }
  writer.U32(static_cast<std::uint32_t>(header.sealed.originalAttributes.size()));
  writer.Bytes(ByteView(header.sealed.originalAttributes));
  return std::move(writer.Result());
}

void
SealedFromBytes(ByteView bytes,
                const std::string & origin,
                CipherHeader & header,
                std::array<std::uint8_t, 32> & sealedDigest)
{
  detail::ByteReader reader(bytes, origin, DamagedSealedMessage);
  reader.Into(sealedDigest, "the sealed pixel digest");
  const std::uint32_t tileCount = reader.U32("the tile count");
  reader.Require(std::size_t{ tileCount } * MinimumTileRecordBytes, "the tile records");
  header.sealed.tiles.resize(tileCount);
  for (TileSecrets & tile : header.sealed.tiles)
  {
    reader.Into(tile.digest.h, "a tile's h");
    tile.digest.p = reader.U8("a tile's p");
    const std::uint32_t levels = reader.U32("a tile's level count");
    reader.Require(std::size_t{ levels } * 4, "a tile's level lengths");
    tile.encryptedParameters.resize(levels);
    for (auto & level : tile.encryptedParameters)
    {
      const std::uint32_t count = reader.U32("a level's length");
      reader.Require(std::size_t{ count } * 4, "a level's values");
      level.resize(count);
      for (float & value : level)
      {
        value = reader.F32("a value");
      }
    }
    if (SealsPoolDigests(header.clear.formatVersion))
    {
      const std::uint32_t length = reader.U32("a tile's pool digest length");
      tile.poolDigests = reader.Bytes(length, "a tile's pool digests").ToVector();
    }
  }
  const std::uint32_t attributesLength = reader.U32("the original attributes' length");
  header.sealed.originalAttributes = reader.Bytes(attributesLength, "the original attributes").ToVector();
  if (reader.Remaining() != 0)
  {
    throw UserError(origin + ": " + DamagedSealedMessage + " (" + std::to_string(reader.Remaining()) +
                    " bytes after the last record)");
  }
}

// ---- validation ----------------------------------------------------------------------------------------------------

[[noreturn]] void
Invalid(const std::string & origin, const std::string & detail)
{
  throw UserError(origin + ": invalid cipher header: " + detail);
}

bool
AllFinite(const std::vector<double> & values)
{
  for (double v : values)
  {
    if (!std::isfinite(v))
    {
      return false;
    }
  }
  return true;
}

void
ValidateClear(const ClearHeader & clear, const std::string & origin)
{
  const ImageGeometry & g = clear.geometry;
  const unsigned d = g.Dimension();
  if (d != 2 && d != 3)
  {
    Invalid(origin, "the image is " + std::to_string(d) + "-D; MedCrypt handles 2-D and 3-D images");
  }
  if (g.spacing.size() != d || g.origin.size() != d || g.direction.size() != std::size_t{ d } * d)
  {
    Invalid(origin, "spacing and origin need one value per axis and direction D x D values");
  }
  for (std::uint64_t n : g.size)
  {
    if (n == 0)
    {
      Invalid(origin, "the image has an axis of size 0");
    }
  }
  if (!AllFinite(g.spacing) || !AllFinite(g.origin) || !AllFinite(g.direction))
  {
    Invalid(origin, "the geometry holds a value that is not finite");
  }
  for (double s : g.spacing)
  {
    if (!(s > 0.0))
    {
      Invalid(origin, "the spacing must be positive");
    }
  }
  if (!std::isfinite(clear.intensityMinimum) || !std::isfinite(clear.intensityMaximum) ||
      clear.intensityMinimum > clear.intensityMaximum)
  {
    Invalid(origin, "the intensity range must be finite with minimum <= maximum");
  }
  if (clear.tiles.tileSize == 0)
  {
    Invalid(origin, "the tile size is 0");
  }
  const TileGrid expected = TileGridFor(g, clear.tiles.tileSize);
  if (expected.columns != clear.tiles.columns || expected.rows != clear.tiles.rows ||
      expected.slices != clear.tiles.slices)
  {
    Invalid(origin,
            "the tile grid " + std::to_string(clear.tiles.columns) + " x " + std::to_string(clear.tiles.rows) + " x " +
              std::to_string(clear.tiles.slices) + " does not match the image size and tile size " +
              std::to_string(clear.tiles.tileSize) + " (expected " + std::to_string(expected.columns) + " x " +
              std::to_string(expected.rows) + " x " + std::to_string(expected.slices) + ")");
  }
  if (!clear.clearAttributesJson.empty())
  {
    nlohmann::json attributes;
    try
    {
      attributes = nlohmann::json::parse(clear.clearAttributesJson);
    }
    catch (const nlohmann::json::exception &)
    {
      Invalid(origin, "the clear attributes are not JSON");
    }
    if (!attributes.is_object())
    {
      Invalid(origin, "the clear attributes are not a JSON object");
    }
  }
}

} // namespace

TileGrid
TileGridFor(const ImageGeometry & geometry, std::uint32_t tileSize)
{
  if (tileSize == 0 || geometry.Dimension() < 2)
  {
    throw std::invalid_argument("TileGridFor needs a tile size >= 1 and at least two axes");
  }
  const auto fit = [](std::uint64_t n)
  {
    if (n > std::numeric_limits<std::uint32_t>::max())
    {
      throw UserError("the image has more than 2^32 - 1 tiles along one axis");
    }
    return static_cast<std::uint32_t>(n);
  };
  TileGrid grid;
  grid.tileSize = tileSize;
  grid.columns = fit((geometry.size[0] + tileSize - 1) / tileSize);
  grid.rows = fit((geometry.size[1] + tileSize - 1) / tileSize);
  grid.slices = geometry.Dimension() == 3 ? fit(geometry.size[2]) : 1;
  return grid;
}

void
ValidateCipherHeader(const CipherHeader & header, const std::string & origin)
{
  ValidateClear(header.clear, origin);
  if (header.sealed.tiles.size() != header.clear.tiles.Count())
  {
    Invalid(origin,
            std::to_string(header.sealed.tiles.size()) + " tile records for a grid of " +
              std::to_string(header.clear.tiles.Count()) + " tiles");
  }
  const bool pooled = SealsPoolDigests(header.clear.formatVersion);
  const unsigned poolEdge = CiphertextLayoutOf(header.clear.formatVersion).poolEdge;
  if (pooled && header.clear.tiles.tileSize % poolEdge != 0)
  {
    Invalid(origin,
            "tiles of " + std::to_string(header.clear.tiles.tileSize) + " pixels are not whole pools of " +
              std::to_string(poolEdge));
  }
  const std::size_t poolDigestLength =
    pooled ? PoolCount(header.clear.tiles.tileSize, poolEdge) * PoolDigestBytes : std::size_t{ 0 };
  for (const TileSecrets & tile : header.sealed.tiles)
  {
    if (tile.poolDigests.size() != poolDigestLength)
    {
      Invalid(origin,
              "a tile record holds " + std::to_string(tile.poolDigests.size()) +
                " bytes of pool digests where format " + std::to_string(header.clear.formatVersion) + " has " +
                std::to_string(poolDigestLength));
    }
    if (tile.encryptedParameters.size() > std::numeric_limits<std::uint32_t>::max())
    {
      Invalid(origin, "too many levels in a tile record");
    }
    for (const auto & level : tile.encryptedParameters)
    {
      if (level.size() > std::numeric_limits<std::uint32_t>::max())
      {
        Invalid(origin, "a level of a tile record is too long");
      }
    }
  }
  if (header.sealed.originalAttributes.size() > std::numeric_limits<std::uint32_t>::max())
  {
    Invalid(origin, "the original attributes exceed 4 GiB");
  }
}

std::vector<std::uint8_t>
SealHeader(const CipherHeader & header, const UserKey & key)
{
  const std::string origin = "the cipher header being written";
  if (header.clear.formatVersion < OldestCipherHeaderVersion || header.clear.formatVersion > CipherHeaderVersion)
  {
    Invalid(origin,
            "this MedCrypt writes versions " + std::to_string(OldestCipherHeaderVersion) + " to " +
              std::to_string(CipherHeaderVersion) + " only");
  }
  ValidateCipherHeader(header, origin);

  std::vector<std::uint8_t> sealedPlain = SealedToBytes(header);
  if (sealedPlain.size() > std::numeric_limits<std::uint32_t>::max())
  {
    Invalid(origin, "the sealed part exceeds 4 GiB");
  }
  std::string clearJson = ClearToJson(header.clear).dump();
  if (clearJson.size() + 1 > MaximumClearJsonBytes)
  {
    Invalid(origin, "the clear part exceeds 16 MiB (are the clear attributes that large?)");
  }
  // Keep the container length even, so that it fills a DICOM OB value without a padding byte: a
  // trailing space is still the same JSON.
  if ((FixedContainerBytes + clearJson.size() + sealedPlain.size()) % 2 != 0)
  {
    clearJson.push_back(' ');
  }

  detail::ByteWriter writer;
  writer.Bytes(ByteView(CipherHeaderMagic));
  writer.U32(header.clear.formatVersion);
  writer.U32(static_cast<std::uint32_t>(clearJson.size()));
  writer.Bytes(ByteView::FromString(clearJson));
  const std::vector<std::uint8_t> authenticated = writer.Result(); // the additional data

  const SecretBytes headerKey = DeriveSubkey(key, HeaderKeyInfo);
  GcmSealed sealed = SealAes256Gcm(headerKey.View(), ByteView(sealedPlain), ByteView(authenticated));
  OPENSSL_cleanse(sealedPlain.data(), sealedPlain.size());

  writer.Bytes(ByteView(header.clear.pixelDigest));
  writer.Bytes(ByteView(sealed.nonce));
  writer.U32(static_cast<std::uint32_t>(sealed.ciphertext.size()));
  writer.Bytes(ByteView(sealed.ciphertext));
  writer.Bytes(ByteView(sealed.tag));
  return std::move(writer.Result());
}

CipherHeader
OpenHeader(ByteView bytes, const UserKey & key, const std::string & origin)
{
  const ContainerParts parts = SplitContainer(bytes, origin);
  CipherHeader header;
  header.clear = ClearFromJson(parts.clearJson, origin);
  header.clear.formatVersion = parts.version;
  header.clear.pixelDigest = parts.pixelDigest;
  ValidateClear(header.clear, origin);

  GcmSealed sealed;
  sealed.nonce = parts.nonce;
  sealed.ciphertext = parts.sealed.ToVector();
  sealed.tag = parts.tag;
  const SecretBytes headerKey = DeriveSubkey(key, HeaderKeyInfo);
  std::vector<std::uint8_t> plain = OpenAes256Gcm(headerKey.View(), sealed, parts.authenticated, origin);

  std::array<std::uint8_t, 32> sealedDigest{};
  SealedFromBytes(ByteView(plain), origin, header, sealedDigest);
  OPENSSL_cleanse(plain.data(), plain.size());
  header.clearDigestAuthentic = sealedDigest == header.clear.pixelDigest;
  header.clear.pixelDigest = sealedDigest;
  ValidateCipherHeader(header, origin);
  return header;
}

ClearHeader
ReadClearPart(ByteView bytes, const std::string & origin)
{
  const ContainerParts parts = SplitContainer(bytes, origin);
  ClearHeader clear = ClearFromJson(parts.clearJson, origin);
  clear.formatVersion = parts.version;
  clear.pixelDigest = parts.pixelDigest;
  ValidateClear(clear, origin);
  return clear;
}

} // namespace medcrypt

#include "medcryptLosslessCodec.h"

#include "medcrypt/Error.h"
#include "medcrypt/TileDigest.h"

#include <charls/charls.h>
#include <zstd.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <type_traits>

namespace medcrypt
{

namespace
{

// Container (docs/format.md, "Lossless sample container"):
//   "MCLS" | u8 version 1 | u8 method | u8 sample type | u8 0 | u32 width | u32 height | u32 frames | payload
constexpr std::uint8_t Magic[4] = { 'M', 'C', 'L', 'S' };
constexpr std::uint8_t ContainerVersion = 1;
constexpr std::size_t CommonHeaderBytes = 20;
// JPEG-LS payload header: i32 offset | u8 bits per sample | 3 zero bytes; then per frame u32 length | stream.
constexpr std::size_t JpegLsHeaderBytes = 8;

void
PutU32(std::vector<std::uint8_t> & out, std::uint32_t value)
{
  for (int i = 0; i < 4; ++i)
  {
    out.push_back(static_cast<std::uint8_t>(value >> (8 * i)));
  }
}

std::uint32_t
GetU32(ByteView bytes, std::size_t at)
{
  return std::uint32_t{ bytes[at] } | std::uint32_t{ bytes[at + 1] } << 8 | std::uint32_t{ bytes[at + 2] } << 16 |
         std::uint32_t{ bytes[at + 3] } << 24;
}

/** Calls f(T{}) with the C++ type of a sample type. */
template<typename TFunction>
decltype(auto)
WithSampleType(SampleType type, TFunction && f)
{
  switch (type)
  {
    case SampleType::UInt8:
      return f(std::uint8_t{});
    case SampleType::Int8:
      return f(std::int8_t{});
    case SampleType::UInt16:
      return f(std::uint16_t{});
    case SampleType::Int16:
      return f(std::int16_t{});
    case SampleType::UInt32:
      return f(std::uint32_t{});
    case SampleType::Int32:
      return f(std::int32_t{});
    case SampleType::Float32:
      return f(float{});
    case SampleType::Float64:
      return f(double{});
  }
  throw std::invalid_argument("unknown sample type");
}

/** Reverses the bytes of each sample in place (host <-> little-endian on a big-endian host). */
void
SwapSampleBytes(std::uint8_t * bytes, std::uint64_t count, std::size_t size)
{
  for (std::uint64_t i = 0; i < count; ++i)
  {
    std::reverse(bytes + i * size, bytes + (i + 1) * size);
  }
}

std::vector<std::uint8_t>
CommonHeader(const SampleLayout & layout, LosslessMethod method)
{
  std::vector<std::uint8_t> out(Magic, Magic + 4);
  out.push_back(ContainerVersion);
  out.push_back(static_cast<std::uint8_t>(method));
  out.push_back(static_cast<std::uint8_t>(layout.type));
  out.push_back(0);
  PutU32(out, layout.width);
  PutU32(out, layout.height);
  PutU32(out, layout.frames);
  return out;
}

// ---- zstd --------------------------------------------------------------------------------------------------------

std::vector<std::uint8_t>
CompressZstd(const void * samples, const SampleLayout & layout, int level)
{
  if (level < 1 || level > ZSTD_maxCLevel())
  {
    throw std::invalid_argument("zstd level must lie in [1, " + std::to_string(ZSTD_maxCLevel()) + "]");
  }
  const std::size_t size = static_cast<std::size_t>(layout.ByteCount());
  const void * source = samples;
  std::vector<std::uint8_t> swapped;
  if (!IsLittleEndianHost() && SampleSize(layout.type) > 1)
  {
    swapped.assign(static_cast<const std::uint8_t *>(samples), static_cast<const std::uint8_t *>(samples) + size);
    SwapSampleBytes(swapped.data(), layout.SampleCount(), SampleSize(layout.type));
    source = swapped.data();
  }
  std::vector<std::uint8_t> out = CommonHeader(layout, LosslessMethod::Zstd);
  const std::size_t start = out.size();
  out.resize(start + ZSTD_compressBound(size));
  const std::size_t written = ZSTD_compress(out.data() + start, out.size() - start, source, size, level);
  if (ZSTD_isError(written))
  {
    throw std::runtime_error(std::string("zstd compression failed: ") + ZSTD_getErrorName(written));
  }
  out.resize(start + written);
  return out;
}

void
DecompressZstd(ByteView payload, DecodedSamples & decoded, const std::string & origin)
{
  const std::uint64_t expected = decoded.layout.ByteCount();
  if (ZSTD_getFrameContentSize(payload.data(), payload.size()) != expected ||
      ZSTD_findFrameCompressedSize(payload.data(), payload.size()) != payload.size())
  {
    throw UserError(origin + ": the compressed samples are damaged (the zstd frame does not hold the " +
                    std::to_string(expected) + " bytes the header announces)");
  }
  decoded.samples.resize(static_cast<std::size_t>(expected));
  const std::size_t written =
    ZSTD_decompress(decoded.samples.data(), decoded.samples.size(), payload.data(), payload.size());
  if (ZSTD_isError(written) || written != expected)
  {
    throw UserError(origin + ": the compressed samples are damaged (zstd: " +
                    (ZSTD_isError(written) ? std::string(ZSTD_getErrorName(written)) : std::string("short output")) +
                    ")");
  }
  if (!IsLittleEndianHost() && SampleSize(decoded.layout.type) > 1)
  {
    SwapSampleBytes(decoded.samples.data(), decoded.layout.SampleCount(), SampleSize(decoded.layout.type));
  }
}

// ---- JPEG-LS -------------------------------------------------------------------------------------------------------

/** The number of bits of v (0 for 0). */
int
BitWidth(std::uint32_t v)
{
  int bits = 0;
  while (v != 0)
  {
    ++bits;
    v >>= 1;
  }
  return bits;
}

/** Appends one JPEG-LS stream per frame of value - offset; CharLS takes 1 byte per sample for up to 8
 * bits and 2 bytes (host order) for 9 to 16 bits. */
template<typename Coded, typename T>
void
AppendJpegLsFrames(const T * samples,
                   const SampleLayout & layout,
                   std::int32_t offset,
                   int bits,
                   std::vector<std::uint8_t> & out)
{
  const std::size_t frameSamples = std::size_t{ layout.width } * layout.height;
  std::vector<Coded> frame(frameSamples);
  for (std::uint32_t f = 0; f < layout.frames; ++f)
  {
    const T * source = samples + f * frameSamples;
    for (std::size_t i = 0; i < frameSamples; ++i)
    {
      frame[i] = static_cast<Coded>(std::int32_t{ source[i] } - offset);
    }
    // Encode straight after the frame's length field. (Not charls::jpegls_encoder::encode(): it
    // returns a container of the source's element type and, for 16-bit samples, twice the bytes.)
    charls::jpegls_encoder encoder;
    encoder.frame_info({ layout.width, layout.height, bits, 1 });
    const std::size_t lengthAt = out.size();
    PutU32(out, 0);
    const std::size_t streamAt = out.size();
    out.resize(streamAt + encoder.estimated_destination_size());
    encoder.destination(out.data() + streamAt, out.size() - streamAt);
    const std::size_t length = encoder.encode(frame);
    if (length > std::numeric_limits<std::uint32_t>::max())
    {
      throw std::invalid_argument("a JPEG-LS frame exceeds 4 GiB");
    }
    out.resize(streamAt + length);
    for (int i = 0; i < 4; ++i)
    {
      out[lengthAt + i] = static_cast<std::uint8_t>(length >> (8 * i));
    }
  }
}

template<typename T>
std::vector<std::uint8_t>
CompressJpegLsTyped(const T * samples, const SampleLayout & layout)
{
  const std::uint64_t count = layout.SampleCount();
  const auto [low, high] = std::minmax_element(samples, samples + count);
  const std::int32_t offset = *low;
  const int bits = std::max(2, BitWidth(static_cast<std::uint32_t>(std::int32_t{ *high } - offset)));

  std::vector<std::uint8_t> out = CommonHeader(layout, LosslessMethod::JpegLs);
  PutU32(out, static_cast<std::uint32_t>(offset));
  out.push_back(static_cast<std::uint8_t>(bits));
  out.insert(out.end(), 3, 0);
  if (bits <= 8)
  {
    AppendJpegLsFrames<std::uint8_t>(samples, layout, offset, bits, out);
  }
  else
  {
    AppendJpegLsFrames<std::uint16_t>(samples, layout, offset, bits, out);
  }
  return out;
}

template<typename Coded, typename T>
void
DecodeJpegLsFrames(ByteView payload,
                   DecodedSamples & decoded,
                   std::int32_t offset,
                   int bits,
                   const std::string & origin)
{
  const SampleLayout & layout = decoded.layout;
  const auto damaged = [&](const std::string & detail)
  { return UserError(origin + ": the JPEG-LS samples are damaged (" + detail + ")"); };
  const std::size_t frameSamples = std::size_t{ layout.width } * layout.height;
  std::vector<Coded> frame;
  decoded.samples.resize(static_cast<std::size_t>(layout.ByteCount()));
  T * out = reinterpret_cast<T *>(decoded.samples.data());
  std::size_t at = JpegLsHeaderBytes;
  for (std::uint32_t f = 0; f < layout.frames; ++f)
  {
    if (payload.size() - at < 4)
    {
      throw damaged("frame " + std::to_string(f) + " is missing");
    }
    const std::uint32_t length = GetU32(payload, at);
    at += 4;
    if (payload.size() - at < length)
    {
      throw damaged("frame " + std::to_string(f) + " is truncated");
    }
    try
    {
      charls::jpegls_decoder decoder(payload.data() + at, length, true);
      const charls::frame_info info = decoder.frame_info();
      if (info.width != layout.width || info.height != layout.height || info.bits_per_sample != bits ||
          info.component_count != 1 || decoder.near_lossless() != 0 ||
          decoder.destination_size() != frameSamples * sizeof(Coded))
      {
        throw damaged("frame " + std::to_string(f) + " does not match the header");
      }
      frame.resize(frameSamples);
      decoder.decode(frame);
    }
    catch (const charls::jpegls_error & error)
    {
      throw damaged("frame " + std::to_string(f) + ": " + error.what());
    }
    at += length;
    const std::int64_t highest = std::numeric_limits<T>::max();
    for (std::size_t i = 0; i < frameSamples; ++i)
    {
      const std::int64_t value = std::int64_t{ offset } + frame[i];
      if (value > highest)
      {
        throw damaged("a sample exceeds its type");
      }
      out[f * frameSamples + i] = static_cast<T>(value);
    }
  }
  if (at != payload.size())
  {
    throw damaged(std::to_string(payload.size() - at) + " bytes after the last frame");
  }
}

template<typename T>
void
DecompressJpegLsTyped(ByteView payload, DecodedSamples & decoded, const std::string & origin)
{
  const auto damaged = [&](const std::string & detail)
  { return UserError(origin + ": the JPEG-LS samples are damaged (" + detail + ")"); };
  if (payload.size() < JpegLsHeaderBytes)
  {
    throw damaged("no JPEG-LS parameters");
  }
  const auto offset = static_cast<std::int32_t>(GetU32(payload, 0));
  const int bits = payload[4];
  // Samples are offset + coded value with coded values in [0, 2^bits): the offset must be a value of the
  // type (each restored sample is checked against the type's maximum below).
  if (bits < 2 || bits > static_cast<int>(8 * sizeof(T)) || offset < std::numeric_limits<T>::lowest() ||
      offset > std::numeric_limits<T>::max() || payload[5] != 0 || payload[6] != 0 || payload[7] != 0)
  {
    throw damaged("impossible offset or bit depth");
  }
  if (bits <= 8)
  {
    DecodeJpegLsFrames<std::uint8_t, T>(payload, decoded, offset, bits, origin);
  }
  else
  {
    DecodeJpegLsFrames<std::uint16_t, T>(payload, decoded, offset, bits, origin);
  }
}

template<typename T>
constexpr bool IsJpegLsType = std::is_integral_v<T> && sizeof(T) <= 2;

} // namespace

std::string_view
ToString(LosslessMethod method)
{
  return method == LosslessMethod::JpegLs ? "jpeg-ls" : "zstd";
}

bool
JpegLsSupports(const SampleLayout & layout)
{
  return IsIntegerSampleType(layout.type) && SampleSize(layout.type) <= 2 && layout.width >= 1 &&
         layout.width <= 65535 && layout.height >= 1 && layout.height <= 65535;
}

std::vector<std::uint8_t>
CompressSamples(const void * samples, const SampleLayout & layout, LosslessMethod method, int zstdLevel)
{
  if (layout.SampleCount() == 0)
  {
    throw std::invalid_argument("CompressSamples: the layout holds no samples");
  }
  if (layout.ByteCount() > MaximumLosslessBytes)
  {
    throw std::invalid_argument("CompressSamples: more than 8 GiB of samples");
  }
  if (method == LosslessMethod::Zstd)
  {
    return CompressZstd(samples, layout, zstdLevel);
  }
  if (!JpegLsSupports(layout))
  {
    throw std::invalid_argument("JPEG-LS holds 8- and 16-bit integer samples in frames of at most 65535 x 65535");
  }
  return WithSampleType(layout.type,
                        [&](auto tag) -> std::vector<std::uint8_t>
                        {
                          using T = decltype(tag);
                          if constexpr (IsJpegLsType<T>)
                          {
                            return CompressJpegLsTyped(static_cast<const T *>(samples), layout);
                          }
                          else
                          {
                            throw std::logic_error("unreachable: JpegLsSupports refused this type");
                          }
                        });
}

std::vector<std::uint8_t>
CompressSamples(const void * samples, const SampleLayout & layout)
{
  std::vector<std::uint8_t> zstd = CompressSamples(samples, layout, LosslessMethod::Zstd, DefaultZstdLevel);
  if (!JpegLsSupports(layout))
  {
    return zstd;
  }
  std::vector<std::uint8_t> jpegLs = CompressSamples(samples, layout, LosslessMethod::JpegLs);
  return jpegLs.size() < zstd.size() ? std::move(jpegLs) : std::move(zstd);
}

DecodedSamples
ReadLosslessHeader(ByteView compressed, const std::string & origin)
{
  if (compressed.size() < CommonHeaderBytes || std::memcmp(compressed.data(), Magic, 4) != 0)
  {
    throw UserError(origin + ": is not MedCrypt compressed samples (no \"MCLS\" header of 20 bytes); the envelope "
                             "content is damaged or was written by another program");
  }
  if (compressed[4] != ContainerVersion)
  {
    throw UserError(origin + ": compressed samples of container version " + std::to_string(compressed[4]) +
                    " are not supported; use the MedCrypt release that wrote them");
  }
  DecodedSamples decoded;
  const unsigned method = compressed[5];
  if (method != static_cast<unsigned>(LosslessMethod::Zstd) && method != static_cast<unsigned>(LosslessMethod::JpegLs))
  {
    throw UserError(origin + ": unknown compression method " + std::to_string(method));
  }
  if (!IsSampleTypeCode(compressed[6]) || compressed[7] != 0)
  {
    throw UserError(origin + ": unknown sample type " + std::to_string(compressed[6]));
  }
  decoded.method = static_cast<LosslessMethod>(method);
  decoded.layout.type = static_cast<SampleType>(compressed[6]);
  decoded.layout.width = GetU32(compressed, 8);
  decoded.layout.height = GetU32(compressed, 12);
  decoded.layout.frames = GetU32(compressed, 16);
  if (decoded.layout.SampleCount() == 0 || decoded.layout.ByteCount() > MaximumLosslessBytes)
  {
    throw UserError(origin + ": the compressed samples announce " + std::to_string(decoded.layout.width) + " x " +
                    std::to_string(decoded.layout.height) + " x " + std::to_string(decoded.layout.frames) +
                    " samples (none, or over 8 GiB): the data are damaged");
  }
  if (decoded.method == LosslessMethod::JpegLs && !JpegLsSupports(decoded.layout))
  {
    throw UserError(origin + ": JPEG-LS samples of a type or size JPEG-LS cannot hold: the data are damaged");
  }
  return decoded;
}

DecodedSamples
DecompressSamples(ByteView compressed, const std::string & origin)
{
  DecodedSamples decoded = ReadLosslessHeader(compressed, origin);
  const ByteView payload = compressed.Slice(CommonHeaderBytes, compressed.size() - CommonHeaderBytes);
  if (decoded.method == LosslessMethod::Zstd)
  {
    DecompressZstd(payload, decoded, origin);
    return decoded;
  }
  WithSampleType(decoded.layout.type,
                 [&](auto tag)
                 {
                   using T = decltype(tag);
                   if constexpr (IsJpegLsType<T>)
                   {
                     DecompressJpegLsTyped<T>(payload, decoded, origin);
                   }
                 });
  return decoded;
}

} // namespace medcrypt

#ifndef medcryptLosslessCodec_h
#define medcryptLosslessCodec_h

// Lossless compression of sample buffers for the exact envelope (docs/format.md, "Lossless sample container"): JPEG-LS
// (CharLS) for 8- and 16-bit integer samples and zstd for any; by default the smaller of the two. The
// container records the method, so every buffer reads back whatever the default.

#include "medcrypt/ByteView.h"
#include "medcrypt/SampleType.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace medcrypt
{

/** How a sample buffer is compressed. The numeric values are stored in the container: never
 * renumber. */
enum class LosslessMethod : std::uint8_t
{
  /** zstd (RFC 8878) of the samples' little-endian bytes. */
  Zstd = 1,
  /** JPEG-LS lossless (ISO 14495-1, CharLS), one stream per frame, after subtracting the minimum. */
  JpegLs = 2
};

/** "zstd" or "jpeg-ls". */
std::string_view
ToString(LosslessMethod method);

/** The shape of a sample buffer: `frames` frames (slices) of width x height samples, x fastest, one
 * scalar type. A 2-D image is one frame. */
struct SampleLayout
{
  SampleType type = SampleType::UInt16;
  std::uint32_t width = 0;
  std::uint32_t height = 0;
  std::uint32_t frames = 1;

  /** width * height * frames. */
  std::uint64_t
  SampleCount() const
  {
    return std::uint64_t{ width } * height * frames;
  }

  /** SampleCount() * the size of one sample. */
  std::uint64_t
  ByteCount() const
  {
    return SampleCount() * SampleSize(type);
  }
};

/** The zstd level used when none is given: 3, zstd's own default (docs/design.md, "Exact envelope:
 * lossless compression", for the measurements behind it). */
inline constexpr int DefaultZstdLevel = 3;

/** The largest buffer the codec compresses or restores: 8 GiB of samples. */
inline constexpr std::uint64_t MaximumLosslessBytes = std::uint64_t{ 8 } << 30;

/** True when JPEG-LS can hold the layout: 8- or 16-bit integer samples in frames of at most
 * 65535 x 65535 (CharLS 2.4). */
bool
JpegLsSupports(const SampleLayout & layout);

/** Compresses `samples` (layout.SampleCount() values of layout.type in host byte order, e.g. an ITK
 * image buffer) with `method` (zstd at `zstdLevel`, 1..22). Throws std::invalid_argument when the
 * method cannot hold the layout (JPEG-LS for other than 8- or 16-bit integers, or frames over 65535),
 * for an empty layout or one over MaximumLosslessBytes. */
std::vector<std::uint8_t>
CompressSamples(const void * samples,
                const SampleLayout & layout,
                LosslessMethod method,
                int zstdLevel = DefaultZstdLevel);

/** What MedCrypt writes: the smaller of JPEG-LS (where JpegLsSupports) and zstd at
 * DefaultZstdLevel. Neither wins everywhere: JPEG-LS is 20-40% smaller on noisy MR and CT, zstd on
 * images with large areas of one value (docs/design.md, "Exact envelope: lossless compression"). */
std::vector<std::uint8_t>
CompressSamples(const void * samples, const SampleLayout & layout);

/** What DecompressSamples restores. */
struct DecodedSamples
{
  SampleLayout layout;
  LosslessMethod method = LosslessMethod::Zstd;
  /** layout.ByteCount() bytes: the samples in host byte order, ready to copy into an image buffer. */
  std::vector<std::uint8_t> samples;
};

/** Reads the layout and method of a compressed buffer without decompressing it. Throws UserError
 * (naming `origin`) for bytes that are not a MedCrypt lossless container. */
DecodedSamples
ReadLosslessHeader(ByteView compressed, const std::string & origin);

/** Restores exactly the samples given to CompressSamples. Throws UserError (naming `origin`) for
 * input that is not a complete, consistent MedCrypt lossless container. */
DecodedSamples
DecompressSamples(ByteView compressed, const std::string & origin);

} // namespace medcrypt

#endif

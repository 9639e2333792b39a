// The exact envelope's lossless codec (filters/include/medcryptLosslessCodec.h, docs/format.md
// section 8): bit-exact round trips of every sample type with both methods, the documented container
// read back with zstd and CharLS directly, and damaged input refused.
#include "medcryptLosslessCodec.h"

#include "medcrypt/Error.h"

#include <gtest/gtest.h>

#include <charls/charls.h>
#include <zstd.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

namespace
{

using namespace medcrypt;

/** Samples of a smooth image with noise (like a CT slice), spanning the type's extremes once each. */
template<typename T>
std::vector<T>
TestSamples(const SampleLayout & layout, std::uint64_t seed)
{
  std::mt19937_64 generator(seed);
  std::normal_distribution<double> noise(0.0, 3.0);
  std::vector<T> samples(layout.SampleCount());
  const double low = static_cast<double>(std::numeric_limits<T>::lowest());
  const double high = static_cast<double>(std::numeric_limits<T>::max());
  const double mid = std::is_integral_v<T> ? (low + high) / 2 : 0.0;
  const double amplitude = std::is_integral_v<T> ? (high - low) / 4 : 1000.0;
  for (std::size_t i = 0; i < samples.size(); ++i)
  {
    const double x = static_cast<double>(i % layout.width) / layout.width;
    const double y = static_cast<double>(i / layout.width % layout.height) / layout.height;
    const double v = mid + amplitude * std::sin(6 * x) * std::cos(4 * y) + noise(generator);
    samples[i] = static_cast<T>(std::is_integral_v<T> ? std::round(std::clamp(v, low, high)) : v);
  }
  samples.front() = std::numeric_limits<T>::lowest();
  samples.back() = std::numeric_limits<T>::max();
  return samples;
}

template<typename T>
void
ExpectRoundTrip(const SampleLayout & layout, LosslessMethod method, int level = DefaultZstdLevel)
{
  const std::vector<T> samples = TestSamples<T>(layout, layout.width * 31 + layout.frames);
  const std::vector<std::uint8_t> compressed = CompressSamples(samples.data(), layout, method, level);
  const DecodedSamples decoded = DecompressSamples(compressed, "round trip");
  EXPECT_EQ(decoded.method, method);
  EXPECT_EQ(decoded.layout.type, layout.type);
  EXPECT_EQ(decoded.layout.width, layout.width);
  EXPECT_EQ(decoded.layout.height, layout.height);
  EXPECT_EQ(decoded.layout.frames, layout.frames);
  ASSERT_EQ(decoded.samples.size(), samples.size() * sizeof(T));
  EXPECT_EQ(std::memcmp(decoded.samples.data(), samples.data(), decoded.samples.size()), 0)
    << ToString(layout.type) << " " << ToString(method);
}

template<typename T>
void
ExpectRoundTripsOfType()
{
  constexpr SampleType type = SampleTypeOf<T>();
  for (const SampleLayout & layout :
       { SampleLayout{ type, 37, 23, 1 }, SampleLayout{ type, 64, 48, 3 }, SampleLayout{ type, 1, 1, 1 } })
  {
    ExpectRoundTrip<T>(layout, LosslessMethod::Zstd);
    ExpectRoundTrip<T>(layout, LosslessMethod::Zstd, 19);
    if (JpegLsSupports(layout))
    {
      ExpectRoundTrip<T>(layout, LosslessMethod::JpegLs);
    }
  }
}

TEST(LosslessCodec, EveryTypeRoundTripsBitExactly)
{
  ExpectRoundTripsOfType<std::uint8_t>();
  ExpectRoundTripsOfType<std::int8_t>();
  ExpectRoundTripsOfType<std::uint16_t>();
  ExpectRoundTripsOfType<std::int16_t>();
  ExpectRoundTripsOfType<std::uint32_t>();
  ExpectRoundTripsOfType<std::int32_t>();
  ExpectRoundTripsOfType<float>();
  ExpectRoundTripsOfType<double>();
}

TEST(LosslessCodec, ConstantAndNarrowImagesRoundTrip)
{
  const SampleLayout layout{ SampleType::Int16, 20, 10, 2 };
  const std::vector<std::int16_t> constant(layout.SampleCount(), -1024);
  const auto decoded = DecompressSamples(CompressSamples(constant.data(), layout), "c");
  EXPECT_EQ(std::memcmp(decoded.samples.data(), constant.data(), decoded.samples.size()), 0);
  // A CT-like range [-1024, 3071]: 12 bits after the offset.
  std::vector<std::int16_t> ct(layout.SampleCount());
  for (std::size_t i = 0; i < ct.size(); ++i)
  {
    ct[i] = static_cast<std::int16_t>(-1024 + static_cast<int>(i * 97 % 4096));
  }
  const auto compressed = CompressSamples(ct.data(), layout);
  EXPECT_EQ(compressed[20 + 4], 12); // bits per sample
  const auto restored = DecompressSamples(compressed, "ct");
  EXPECT_EQ(std::memcmp(restored.samples.data(), ct.data(), restored.samples.size()), 0);
}

TEST(LosslessCodec, DefaultKeepsTheSmallerOfJpegLsAndZstd)
{
  EXPECT_TRUE(JpegLsSupports({ SampleType::UInt8, 512, 512, 1 }));
  EXPECT_TRUE(JpegLsSupports({ SampleType::Int16, 512, 512, 40 }));
  EXPECT_TRUE(JpegLsSupports({ SampleType::UInt16, 65535, 2, 1 }));
  EXPECT_FALSE(JpegLsSupports({ SampleType::UInt16, 65536, 2, 1 }));
  EXPECT_FALSE(JpegLsSupports({ SampleType::Int32, 512, 512, 1 }));
  EXPECT_FALSE(JpegLsSupports({ SampleType::Float32, 512, 512, 1 }));

  // Noisy smooth samples: JPEG-LS is smaller; a buffer of one repeated 8-row pattern: zstd is smaller.
  const SampleLayout layout{ SampleType::UInt16, 128, 64, 1 };
  const std::vector<std::uint16_t> noisy = TestSamples<std::uint16_t>(layout, 11);
  std::vector<std::uint16_t> repeated(layout.SampleCount());
  for (std::size_t i = 0; i < repeated.size(); ++i)
  {
    repeated[i] = static_cast<std::uint16_t>((i % (128 * 8)) * 40503u % 65536u);
  }
  for (const std::vector<std::uint16_t> * samples :
       { &noisy, static_cast<const std::vector<std::uint16_t> *>(&repeated) })
  {
    const auto zstd = CompressSamples(samples->data(), layout, LosslessMethod::Zstd);
    const auto jpegLs = CompressSamples(samples->data(), layout, LosslessMethod::JpegLs);
    const auto chosen = CompressSamples(samples->data(), layout);
    EXPECT_EQ(chosen, jpegLs.size() < zstd.size() ? jpegLs : zstd);
    EXPECT_EQ(ReadLosslessHeader(chosen, "h").method,
              jpegLs.size() < zstd.size() ? LosslessMethod::JpegLs : LosslessMethod::Zstd);
  }
  EXPECT_EQ(ReadLosslessHeader(CompressSamples(noisy.data(), layout), "n").method, LosslessMethod::JpegLs);
  EXPECT_EQ(ReadLosslessHeader(CompressSamples(repeated.data(), layout), "r").method, LosslessMethod::Zstd);
  const std::vector<float> floats(4, 1.0f);
  EXPECT_EQ(ReadLosslessHeader(CompressSamples(floats.data(), { SampleType::Float32, 2, 2, 1 }), "f").method,
            LosslessMethod::Zstd);
  EXPECT_THROW(CompressSamples(floats.data(), { SampleType::Float32, 2, 2, 1 }, LosslessMethod::JpegLs),
               std::invalid_argument);
  EXPECT_THROW(CompressSamples(floats.data(), { SampleType::Float32, 0, 2, 1 }, LosslessMethod::Zstd),
               std::invalid_argument);
  EXPECT_THROW(CompressSamples(floats.data(), { SampleType::Float32, 2, 2, 1 }, LosslessMethod::Zstd, 23),
               std::invalid_argument);
}

std::uint32_t
U32At(const std::vector<std::uint8_t> & bytes, std::size_t at)
{
  return std::uint32_t{ bytes[at] } | std::uint32_t{ bytes[at + 1] } << 8 | std::uint32_t{ bytes[at + 2] } << 16 |
         std::uint32_t{ bytes[at + 3] } << 24;
}

TEST(LosslessCodec, ZstdContainerIsTheDocumentedOne)
{
  const SampleLayout layout{ SampleType::Int16, 7, 5, 2 };
  const std::vector<std::int16_t> samples = TestSamples<std::int16_t>(layout, 3);
  const auto bytes = CompressSamples(samples.data(), layout, LosslessMethod::Zstd);
  const std::vector<std::uint8_t> header = { 'M', 'C', 'L', 'S', 1, 1, 4, 0, 7, 0, 0, 0, 5, 0, 0, 0, 2, 0, 0, 0 };
  ASSERT_GT(bytes.size(), header.size());
  EXPECT_EQ(std::vector<std::uint8_t>(bytes.begin(), bytes.begin() + 20), header);
  // The payload is one zstd frame of the samples' little-endian bytes.
  std::vector<std::uint8_t> raw(samples.size() * 2);
  const std::size_t n = ZSTD_decompress(raw.data(), raw.size(), bytes.data() + 20, bytes.size() - 20);
  ASSERT_EQ(n, raw.size());
  for (std::size_t i = 0; i < samples.size(); ++i)
  {
    const auto value = static_cast<std::uint16_t>(samples[i]);
    EXPECT_EQ(raw[2 * i], value & 0xFF);
    EXPECT_EQ(raw[2 * i + 1], value >> 8);
  }
}

TEST(LosslessCodec, JpegLsContainerIsTheDocumentedOne)
{
  // uint16 values 1000 + (x * y) % 300 in 2 frames of 9 x 4: offset 1000, 300 - 1 needs 9 bits.
  const SampleLayout layout{ SampleType::UInt16, 9, 4, 2 };
  std::vector<std::uint16_t> samples(layout.SampleCount());
  for (std::size_t i = 0; i < samples.size(); ++i)
  {
    samples[i] = static_cast<std::uint16_t>(1000 + (i % 9) * (i / 9) * 11 % 300);
  }
  const auto bytes = CompressSamples(samples.data(), layout, LosslessMethod::JpegLs);
  EXPECT_EQ(bytes[5], 2); // method JPEG-LS
  EXPECT_EQ(bytes[6], 3); // uint16
  const auto offset = static_cast<std::int32_t>(U32At(bytes, 20));
  const int bits = bytes[24];
  EXPECT_EQ(offset, 1000);
  const std::uint16_t largest = *std::max_element(samples.begin(), samples.end());
  EXPECT_EQ(bits, std::max(2, static_cast<int>(std::floor(std::log2(largest - 1000))) + 1));
  std::size_t at = 28;
  for (std::uint32_t f = 0; f < layout.frames; ++f)
  {
    const std::uint32_t length = U32At(bytes, at);
    const std::vector<std::uint8_t> stream(bytes.begin() + at + 4, bytes.begin() + at + 4 + length);
    // Each stored stream is exactly one JPEG-LS image: SOI (FF D8) ... EOI (FF D9), nothing after.
    ASSERT_GE(stream.size(), 4u);
    EXPECT_EQ(stream[0], 0xFF);
    EXPECT_EQ(stream[1], 0xD8);
    EXPECT_EQ(stream[stream.size() - 2], 0xFF);
    EXPECT_EQ(stream[stream.size() - 1], 0xD9);
    std::vector<std::uint16_t> coded;
    const auto [info, mode] = charls::jpegls_decoder::decode(stream, coded);
    EXPECT_EQ(info.width, 9u);
    EXPECT_EQ(info.height, 4u);
    EXPECT_EQ(info.bits_per_sample, bits);
    ASSERT_EQ(coded.size(), 36u);
    for (std::size_t i = 0; i < 36; ++i)
    {
      EXPECT_EQ(coded[i] + offset, samples[f * 36 + i]);
    }
    at += 4 + length;
  }
  EXPECT_EQ(at, bytes.size());
}

TEST(LosslessCodec, DamagedInputIsAUserError)
{
  const SampleLayout layout{ SampleType::UInt16, 32, 16, 2 };
  const auto samples = TestSamples<std::uint16_t>(layout, 5);
  for (LosslessMethod method : { LosslessMethod::Zstd, LosslessMethod::JpegLs })
  {
    const auto bytes = CompressSamples(samples.data(), layout, method);
    for (std::size_t n = 0; n < bytes.size(); n += 3)
    {
      EXPECT_THROW(DecompressSamples(ByteView(bytes.data(), n), "cut"), UserError) << ToString(method) << " " << n;
    }
    auto longer = bytes;
    longer.push_back(0);
    EXPECT_THROW(DecompressSamples(longer, "long"), UserError);
    auto wrongMagic = bytes;
    wrongMagic[0] = 'X';
    EXPECT_THROW(DecompressSamples(wrongMagic, "magic"), UserError);
    auto newer = bytes;
    newer[4] = 2;
    EXPECT_THROW(DecompressSamples(newer, "version"), UserError);
    auto otherMethod = bytes;
    otherMethod[5] = 9;
    EXPECT_THROW(DecompressSamples(otherMethod, "method"), UserError);
    auto bigger = bytes;
    bigger[8] = 33; // width 33: the payload no longer matches
    EXPECT_THROW(DecompressSamples(bigger, "width"), UserError);
    auto huge = bytes;
    huge[19] = 0x7F; // frames ~ 2^30: over 8 GiB
    EXPECT_THROW(DecompressSamples(huge, "huge"), UserError);
  }
}

} // namespace

// Measures lossless compression of image samples for the exact envelope (scheme section 5,
// docs/design.md "Exact envelope: lossless compression"): zstd at levels 3 and 19 against JPEG-LS
// (CharLS), on real CT and MR images. For each image and method it prints the compression ratio,
// compression and decompression speed (MB/s of raw samples) and the ratio relative to zstd-3 in the
// same run, and checks that every round trip is bit-exact (exit status 1 otherwise).
//
//   medcrypt_bench_envelope_compression [--min-seconds S] IMAGE...
//
// IMAGE: anything ITK reads (MHA, NRRD, NIfTI, DICOM), 2-D or 3-D, scalar. Methods:
//   zstd-3, zstd-19          medcrypt::CompressSamples with LosslessMethod::Zstd at that level
//   jpeg-ls                  medcrypt::CompressSamples with LosslessMethod::JpegLs (minimum subtracted,
//                            bit depth = bits of max - min): what MedCrypt writes
//   jpeg-ls-full-depth       CharLS directly at the type's full bit depth, signed values shifted to
//                            unsigned by flipping the sign bit (8/16-bit integers; for comparison)
//   medcrypt-default         medcrypt::CompressSamples(samples, layout): the smaller of jpeg-ls and zstd-3
//   deflate-6                zlib (RFC 1950/1951) at level 6 of the little-endian bytes: what DICOM's
//                            Deflated Explicit VR Little Endian transfer syntax would spend on the pixels
// A last table sums, per method, the raw and compressed bytes over the images where it applies
// (images of other types are left out of that method's sum) and gives the geometric mean of its
// per-image size relative to zstd-3.
#include "medcryptLosslessCodec.h"

#include "itkImage.h"
#include "itkImageFileReader.h"
#include "itkImageIOBase.h"
#include "itkImageIOFactory.h"

#include <charls/charls.h>
#include <zlib.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

namespace
{

using medcrypt::SampleLayout;
using medcrypt::SampleType;
using Bytes = std::vector<std::uint8_t>;

struct LoadedImage
{
  SampleLayout layout;
  Bytes samples; // host order
};

template<typename TPixel, unsigned int VDimension>
LoadedImage
Load(const std::string & path)
{
  using ImageType = itk::Image<TPixel, VDimension>;
  auto reader = itk::ImageFileReader<ImageType>::New();
  reader->SetFileName(path);
  reader->Update();
  const ImageType * image = reader->GetOutput();
  const auto size = image->GetBufferedRegion().GetSize();
  LoadedImage loaded;
  loaded.layout.type = medcrypt::SampleTypeOf<TPixel>();
  loaded.layout.width = static_cast<std::uint32_t>(size[0]);
  loaded.layout.height = static_cast<std::uint32_t>(size[1]);
  loaded.layout.frames = VDimension == 3 ? static_cast<std::uint32_t>(size[VDimension - 1]) : 1;
  const auto * bytes = reinterpret_cast<const std::uint8_t *>(image->GetBufferPointer());
  loaded.samples.assign(bytes, bytes + loaded.layout.ByteCount());
  return loaded;
}

template<typename TPixel>
LoadedImage
LoadWithDimension(const std::string & path, unsigned int dimension)
{
  return dimension == 2 ? Load<TPixel, 2>(path) : Load<TPixel, 3>(path);
}

LoadedImage
LoadImage(const std::string & path)
{
  auto io = itk::ImageIOFactory::CreateImageIO(path.c_str(), itk::IOFileModeEnum::ReadMode);
  if (!io)
  {
    throw std::runtime_error(path + ": no ITK reader for this file");
  }
  io->SetFileName(path);
  io->ReadImageInformation();
  const unsigned int dimension = io->GetNumberOfDimensions();
  if (io->GetNumberOfComponents() != 1 || (dimension != 2 && dimension != 3))
  {
    throw std::runtime_error(path + ": not a scalar 2-D or 3-D image");
  }
  switch (io->GetComponentType())
  {
    case itk::IOComponentEnum::UCHAR:
      return LoadWithDimension<std::uint8_t>(path, dimension);
    case itk::IOComponentEnum::CHAR:
      return LoadWithDimension<std::int8_t>(path, dimension);
    case itk::IOComponentEnum::USHORT:
      return LoadWithDimension<std::uint16_t>(path, dimension);
    case itk::IOComponentEnum::SHORT:
      return LoadWithDimension<std::int16_t>(path, dimension);
    case itk::IOComponentEnum::UINT:
      return LoadWithDimension<std::uint32_t>(path, dimension);
    case itk::IOComponentEnum::INT:
      return LoadWithDimension<std::int32_t>(path, dimension);
    case itk::IOComponentEnum::FLOAT:
      return LoadWithDimension<float>(path, dimension);
    case itk::IOComponentEnum::DOUBLE:
      return LoadWithDimension<double>(path, dimension);
    default:
      throw std::runtime_error(path + ": unsupported pixel type");
  }
}

/** CharLS at the type's full depth, one frame after the other (each stream prefixed by its u32 length). */
Bytes
FullDepthEncode(const LoadedImage & image)
{
  const std::size_t bytesPerSample = medcrypt::SampleSize(image.layout.type);
  const bool isSigned = medcrypt::IsSignedIntegerSampleType(image.layout.type);
  const int bits = static_cast<int>(8 * bytesPerSample);
  const std::size_t frameBytes = std::size_t{ image.layout.width } * image.layout.height * bytesPerSample;
  Bytes out;
  Bytes frame(frameBytes);
  for (std::uint32_t f = 0; f < image.layout.frames; ++f)
  {
    std::memcpy(frame.data(), image.samples.data() + f * frameBytes, frameBytes);
    if (isSigned) // flip the sign bit: two's complement -> offset binary
    {
      for (std::size_t i = bytesPerSample - 1; i < frameBytes; i += bytesPerSample)
      {
        frame[i] ^= 0x80; // the most significant byte on a little-endian host
      }
    }
    charls::jpegls_encoder encoder;
    encoder.frame_info({ image.layout.width, image.layout.height, bits, 1 });
    Bytes stream(encoder.estimated_destination_size());
    encoder.destination(stream);
    stream.resize(encoder.encode(frame));
    const auto length = static_cast<std::uint32_t>(stream.size());
    out.insert(
      out.end(), reinterpret_cast<const std::uint8_t *>(&length), reinterpret_cast<const std::uint8_t *>(&length) + 4);
    out.insert(out.end(), stream.begin(), stream.end());
  }
  return out;
}

Bytes
FullDepthDecode(const Bytes & encoded, const LoadedImage & like)
{
  const std::size_t bytesPerSample = medcrypt::SampleSize(like.layout.type);
  const bool isSigned = medcrypt::IsSignedIntegerSampleType(like.layout.type);
  Bytes out;
  out.reserve(like.samples.size());
  std::size_t at = 0;
  Bytes frame;
  while (at < encoded.size())
  {
    std::uint32_t length = 0;
    std::memcpy(&length, encoded.data() + at, 4);
    at += 4;
    charls::jpegls_decoder decoder(encoded.data() + at, length, true);
    frame.resize(decoder.destination_size());
    decoder.decode(frame);
    if (isSigned)
    {
      for (std::size_t i = bytesPerSample - 1; i < frame.size(); i += bytesPerSample)
      {
        frame[i] ^= 0x80;
      }
    }
    out.insert(out.end(), frame.begin(), frame.end());
    at += length;
  }
  return out;
}

Bytes
DeflateEncode(const LoadedImage & image)
{
  uLongf bound = compressBound(static_cast<uLong>(image.samples.size()));
  Bytes out(bound);
  if (compress2(out.data(), &bound, image.samples.data(), static_cast<uLong>(image.samples.size()), 6) != Z_OK)
  {
    throw std::runtime_error("zlib compress2 failed");
  }
  out.resize(bound);
  return out;
}

Bytes
DeflateDecode(const Bytes & encoded, const LoadedImage & like)
{
  Bytes out(like.samples.size());
  uLongf size = static_cast<uLongf>(out.size());
  if (uncompress(out.data(), &size, encoded.data(), static_cast<uLong>(encoded.size())) != Z_OK)
  {
    throw std::runtime_error("zlib uncompress failed");
  }
  out.resize(size);
  return out;
}

struct Method
{
  std::string name;
  std::function<bool(const LoadedImage &)> applies;
  std::function<Bytes(const LoadedImage &)> compress;
  std::function<Bytes(const Bytes &, const LoadedImage &)> decompress;
};

std::vector<Method>
Methods()
{
  using medcrypt::LosslessMethod;
  auto zstd = [](int level)
  {
    return Method{ "zstd-" + std::to_string(level),
                   [](const LoadedImage &) { return true; },
                   [level](const LoadedImage & image) {
                     return medcrypt::CompressSamples(image.samples.data(), image.layout, LosslessMethod::Zstd, level);
                   },
                   [](const Bytes & bytes, const LoadedImage &)
                   { return medcrypt::DecompressSamples(bytes, "bench").samples; } };
  };
  const auto jpegLsType = [](const LoadedImage & image) { return medcrypt::JpegLsSupports(image.layout); };
  return { zstd(3),
           zstd(19),
           Method{ "jpeg-ls",
                   jpegLsType,
                   [](const LoadedImage & image)
                   { return medcrypt::CompressSamples(image.samples.data(), image.layout, LosslessMethod::JpegLs); },
                   [](const Bytes & bytes, const LoadedImage &)
                   { return medcrypt::DecompressSamples(bytes, "bench").samples; } },
           Method{ "jpeg-ls-full-depth", jpegLsType, FullDepthEncode, FullDepthDecode },
           Method{ "medcrypt-default",
                   [](const LoadedImage &) { return true; },
                   [](const LoadedImage & image)
                   { return medcrypt::CompressSamples(image.samples.data(), image.layout); },
                   [](const Bytes & bytes, const LoadedImage &)
                   { return medcrypt::DecompressSamples(bytes, "bench").samples; } },
           Method{ "deflate-6", [](const LoadedImage &) { return true; }, DeflateEncode, DeflateDecode } };
}

/** Runs `work` at least once and until `minimumSeconds` have passed; returns seconds per run. */
double
SecondsPerRun(const std::function<void()> & work, double minimumSeconds)
{
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  int runs = 0;
  double elapsed = 0.0;
  do
  {
    work();
    ++runs;
    elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  } while (elapsed < minimumSeconds);
  return elapsed / runs;
}

} // namespace

int
main(int argc, char * argv[])
{
  double minimumSeconds = 0.5;
  std::vector<std::string> paths;
  for (int i = 1; i < argc; ++i)
  {
    const std::string argument = argv[i];
    if (argument == "--min-seconds" && i + 1 < argc)
    {
      minimumSeconds = std::atof(argv[++i]);
    }
    else if (argument == "--help" || argument == "-h")
    {
      std::cout << "usage: " << argv[0] << " [--min-seconds S] IMAGE...\n";
      return 0;
    }
    else
    {
      paths.push_back(argument);
    }
  }
  if (paths.empty())
  {
    std::cerr << "usage: " << argv[0] << " [--min-seconds S] IMAGE...\n";
    return 2;
  }

  const auto methods = Methods();
  bool allExact = true;
  struct Total
  {
    double raw = 0, compressed = 0, logRelative = 0;
    int images = 0;
  };
  std::vector<Total> totals(methods.size());
  std::cout << "| image | type | size | method | ratio | compress MB/s | decompress MB/s | size vs zstd-3 |\n"
            << "| --- | --- | --- | --- | ---: | ---: | ---: | ---: |\n";
  for (const std::string & path : paths)
  {
    LoadedImage image;
    try
    {
      image = LoadImage(path);
    }
    catch (const std::exception & error)
    {
      std::cerr << error.what() << "\n";
      allExact = false;
      continue;
    }
    const double rawBytes = static_cast<double>(image.samples.size());
    std::optional<double> zstd3Size;
    const std::string name = path.substr(path.find_last_of('/') + 1);
    const std::string size = std::to_string(image.layout.width) + "x" + std::to_string(image.layout.height) +
                             (image.layout.frames > 1 ? "x" + std::to_string(image.layout.frames) : "");
    for (std::size_t m = 0; m < methods.size(); ++m)
    {
      const Method & method = methods[m];
      if (!method.applies(image))
      {
        continue;
      }
      Bytes compressed;
      const double compressSeconds = SecondsPerRun([&] { compressed = method.compress(image); }, minimumSeconds);
      Bytes restored;
      const double decompressSeconds =
        SecondsPerRun([&] { restored = method.decompress(compressed, image); }, minimumSeconds);
      const bool exact = restored == image.samples;
      allExact = allExact && exact;
      const double compressedSize = static_cast<double>(compressed.size());
      if (method.name == "zstd-3")
      {
        zstd3Size = compressedSize;
      }
      char line[512];
      std::snprintf(line,
                    sizeof(line),
                    "| %s | %s | %s | %s | %.3f | %.1f | %.1f | %.3f |%s\n",
                    name.c_str(),
                    std::string(medcrypt::ToString(image.layout.type)).c_str(),
                    size.c_str(),
                    method.name.c_str(),
                    rawBytes / compressedSize,
                    rawBytes / 1e6 / compressSeconds,
                    rawBytes / 1e6 / decompressSeconds,
                    compressedSize / zstd3Size.value_or(compressedSize),
                    exact ? "" : " NOT BIT-EXACT");
      std::cout << line << std::flush;
      totals[m].raw += rawBytes;
      totals[m].compressed += compressedSize;
      totals[m].logRelative += std::log(compressedSize / zstd3Size.value_or(compressedSize));
      ++totals[m].images;
    }
  }
  std::cout << "\n| method | images | total ratio | geometric mean size vs zstd-3 |\n| --- | ---: | ---: | ---: |\n";
  for (std::size_t m = 0; m < methods.size(); ++m)
  {
    if (totals[m].images == 0)
    {
      continue;
    }
    char line[256];
    std::snprintf(line,
                  sizeof(line),
                  "| %s | %d | %.3f | %.3f |\n",
                  methods[m].name.c_str(),
                  totals[m].images,
                  totals[m].raw / totals[m].compressed,
                  std::exp(totals[m].logRelative / totals[m].images));
    std::cout << line;
  }
  return allExact ? 0 : 1;
}

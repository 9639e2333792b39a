#include "DicomPixelData.h"

#include "DicomCodecs.h"

#include <charls/charls.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcelem.h>
#include <dcmtk/dcmdata/dcpixel.h>
#include <dcmtk/dcmdata/dcpixseq.h>
#include <dcmtk/dcmdata/dcpxitem.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace medcrypt::dicom
{

namespace
{

std::uint16_t
GetUint16(DcmItem & item,
          const DcmTagKey & tag,
          const char * name,
          const std::string & origin,
          bool required,
          std::uint16_t fallback = 0)
{
  Uint16 value = 0;
  if (item.findAndGetUint16(tag, value).good())
  {
    return value;
  }
  if (required)
  {
    throw UserError(origin + ": the image has Pixel Data but no usable " + name + " attribute");
  }
  return fallback;
}

std::string
GetString(DcmItem & item, const DcmTagKey & tag)
{
  OFString value;
  return item.findAndGetOFString(tag, value).good() ? std::string(value.c_str()) : std::string();
}

/** The Pixel Data value as a little-endian byte stream (whatever the VR and the host byte order). */
std::vector<std::uint8_t>
PixelBytes(DcmElement & pixel, const std::string & origin)
{
  std::vector<std::uint8_t> bytes;
  if (pixel.getTag().getEVR() == EVR_OW)
  {
    Uint16 * words = nullptr;
    const unsigned long count = pixel.getLength() / 2;
    if (count > 0 && (pixel.getUint16Array(words).bad() || words == nullptr))
    {
      throw UserError(origin + ": cannot read the Pixel Data value");
    }
    bytes.resize(count * 2);
    for (unsigned long i = 0; i < count; ++i)
    {
      bytes[2 * i] = static_cast<std::uint8_t>(words[i] & 0xFF);
      bytes[2 * i + 1] = static_cast<std::uint8_t>(words[i] >> 8);
    }
  }
  else
  {
    Uint8 * data = nullptr;
    const unsigned long count = pixel.getLength();
    if (count > 0 && (pixel.getUint8Array(data).bad() || data == nullptr))
    {
      throw UserError(origin + ": cannot read the Pixel Data value");
    }
    bytes.assign(data, data + count);
  }
  return bytes;
}

std::uint32_t
ReadLittleEndian(const std::uint8_t * p, unsigned bytesPerSample)
{
  std::uint32_t value = 0;
  for (unsigned i = 0; i < bytesPerSample; ++i)
  {
    value |= std::uint32_t{ p[i] } << (8 * i);
  }
  return value;
}

void
WriteLittleEndian(std::uint8_t * p, unsigned bytesPerSample, std::uint32_t value)
{
  for (unsigned i = 0; i < bytesPerSample; ++i)
  {
    p[i] = static_cast<std::uint8_t>(value >> (8 * i));
  }
}

bool
IsJpegLs(E_TransferSyntax xfer)
{
  return xfer == EXS_JPEGLSLossless || xfer == EXS_JPEGLSLossy;
}

/** The encapsulated fragments of `pixel` (item 0, the Basic Offset Table, excluded) grouped into the
 * compressed stream of each of `frames` frames: one fragment per frame when the counts agree, else by the
 * Basic Offset Table, else (one frame) all of them, else split where a fragment starts with SOI. */
std::vector<std::vector<std::uint8_t>>
FrameStreams(DcmElement & pixel, E_TransferSyntax xfer, std::uint32_t frames, const std::string & origin)
{
  DcmPixelSequence * sequence = nullptr;
  if (pixel.ident() != EVR_PixelData ||
      static_cast<DcmPixelData &>(pixel).getEncapsulatedRepresentation(xfer, nullptr, sequence).bad() ||
      sequence == nullptr || sequence->card() < 2)
  {
    throw UserError(origin + ": the encapsulated Pixel Data has no fragments");
  }
  std::vector<std::vector<std::uint8_t>> fragments;
  std::vector<std::uint32_t> positions; // of each fragment's item tag, from the first fragment's
  std::vector<std::uint32_t> offsets;
  std::uint32_t position = 0;
  for (unsigned long i = 0; i < sequence->card(); ++i)
  {
    DcmPixelItem * item = nullptr;
    Uint8 * data = nullptr;
    if (sequence->getItem(item, i).bad() || item == nullptr ||
        (item->getLength() > 0 && (item->getUint8Array(data).bad() || data == nullptr)))
    {
      throw UserError(origin + ": cannot read fragment " + std::to_string(i) + " of the Pixel Data");
    }
    const std::uint32_t length = item->getLength();
    if (i == 0)
    {
      for (std::uint32_t at = 0; at + 4 <= length; at += 4)
      {
        offsets.push_back(ReadLittleEndian(data + at, 4));
      }
      continue;
    }
    positions.push_back(position);
    position += 8 + length;
    fragments.emplace_back(data, data + length);
  }
  std::vector<std::vector<std::uint8_t>> streams;
  if (fragments.size() == frames)
  {
    return fragments;
  }
  if (frames == 1)
  {
    streams.emplace_back();
    for (const auto & fragment : fragments)
    {
      streams.back().insert(streams.back().end(), fragment.begin(), fragment.end());
    }
    return streams;
  }
  const bool useOffsets = offsets.size() == frames;
  for (std::size_t i = 0; i < fragments.size(); ++i)
  {
    const bool startsFrame = useOffsets
                               ? std::find(offsets.begin(), offsets.end(), positions[i]) != offsets.end()
                               : fragments[i].size() >= 2 && fragments[i][0] == 0xFF && fragments[i][1] == 0xD8;
    if (startsFrame || streams.empty())
    {
      streams.emplace_back();
    }
    streams.back().insert(streams.back().end(), fragments[i].begin(), fragments[i].end());
  }
  if (streams.size() != frames)
  {
    throw UserError(origin + ": the Pixel Data has " + std::to_string(fragments.size()) +
                    " fragments that cannot be split into its " + std::to_string(frames) + " frames");
  }
  return streams;
}

/** Decodes JPEG-LS Pixel Data with CharLS 2 (its charls_* API, which no other library in the process
 * exports) into the layout of native Pixel Data: little-endian samples of bitsAllocated / 8 bytes, frame
 * after frame. Sets `planar` to the layout of the colour samples (1: plane by plane). DCMTK's dcmjpls is
 * not used: it calls the legacy JpegLs* functions, which bind to CharLS 2's incompatible ones whenever
 * libcharls.so.2 is loaded first, and then corrupts the heap. */
std::vector<std::uint8_t>
DecodeJpegLs(DcmElement & pixel,
             E_TransferSyntax xfer,
             const PixelFormat & format,
             std::uint16_t & planar,
             const std::string & origin)
{
  const auto streams = FrameStreams(pixel, xfer, format.frames, origin);
  const unsigned bytesPerSample = format.bitsAllocated / 8;
  const std::size_t frameSamples = format.PlaneSize() * format.samplesPerPixel;
  std::vector<std::uint8_t> bytes(frameSamples * format.frames * bytesPerSample);
  std::vector<std::uint8_t> decoded;
  for (std::uint32_t frame = 0; frame < format.frames; ++frame)
  {
    const std::string where = origin + ": JPEG-LS frame " + std::to_string(frame) + ": ";
    try
    {
      charls::jpegls_decoder decoder(streams[frame].data(), streams[frame].size(), true);
      const charls::frame_info info = decoder.frame_info();
      if (info.width != format.columns || info.height != format.rows ||
          info.component_count != static_cast<std::int32_t>(format.samplesPerPixel) || info.bits_per_sample < 2 ||
          info.bits_per_sample > 16 || info.bits_per_sample > static_cast<std::int32_t>(format.bitsAllocated))
      {
        throw UserError(where + "the stream is " + std::to_string(info.width) + " x " + std::to_string(info.height) +
                        " x " + std::to_string(info.component_count) + " samples of " +
                        std::to_string(info.bits_per_sample) + " bits, which does not match the pixel module");
      }
      const unsigned codedBytes = info.bits_per_sample > 8 ? 2 : 1;
      decoded.assign(decoder.destination_size(), 0);
      if (decoded.size() != frameSamples * codedBytes)
      {
        throw UserError(where + "unexpected decoded size " + std::to_string(decoded.size()));
      }
      decoder.decode(decoded.data(), decoded.size());
      planar = format.samplesPerPixel > 1 && decoder.interleave_mode() == charls::interleave_mode::none ? 1 : 0;
    }
    catch (const charls::jpegls_error & error)
    {
      throw UserError(where + "cannot decode it (" + error.what() + "); the file is damaged or not JPEG-LS");
    }
    const std::size_t codedBytes = decoded.size() / frameSamples;
    std::uint8_t * target = bytes.data() + std::size_t{ frame } * frameSamples * bytesPerSample;
    for (std::size_t i = 0; i < frameSamples; ++i)
    {
      std::uint32_t value = decoded[i * codedBytes];
      if (codedBytes == 2)
      {
        std::uint16_t word = 0;
        std::memcpy(&word, &decoded[i * 2], 2); // CharLS writes native-endian 16-bit samples
        value = word;
      }
      WriteLittleEndian(target + i * bytesPerSample, bytesPerSample, value);
    }
  }
  return bytes;
}

} // namespace

DicomPixelData
DicomPixelData::Decode(const DcmDataset & dataset, const std::string & origin)
{
  RegisterDicomCodecs();
  const E_TransferSyntax xfer = EffectiveTransferSyntax(dataset);
  if (!IsDecodableTransferSyntax(xfer))
  {
    throw UnsupportedPixelDataError(
      origin + ": Pixel Data in " +
      (xfer == EXS_Unknown ? std::string("an unknown transfer syntax") : DescribeTransferSyntax(xfer)) +
      " is not supported: DCMTK has no decoder for it (convert the file to an "
      "uncompressed, RLE, JPEG or JPEG-LS transfer syntax first)");
  }
  DcmDataset decoded(dataset);
  if (!decoded.tagExists(DCM_PixelData))
  {
    throw UserError(origin + ": the dataset has no Pixel Data (7FE0,0010)");
  }
  const bool jpegLs = IsJpegLs(xfer);
  if (!jpegLs)
  {
    const OFCondition status = decoded.chooseRepresentation(EXS_LittleEndianExplicit, nullptr);
    if (status.bad() || !decoded.canWriteXfer(EXS_LittleEndianExplicit))
    {
      throw UserError(origin + ": cannot decode the Pixel Data (" + DescribeTransferSyntax(xfer) +
                      "): " + status.text());
    }
  }

  DicomPixelData result;
  result.m_OriginalTransferSyntaxUid = DcmXfer(xfer).getXferID();
  PixelFormat & format = result.m_Format;
  format.rows = GetUint16(decoded, DCM_Rows, "Rows", origin, true);
  format.columns = GetUint16(decoded, DCM_Columns, "Columns", origin, true);
  Sint32 frames = 1;
  if (decoded.findAndGetSint32(DCM_NumberOfFrames, frames).bad())
  {
    frames = 1;
  }
  else if (frames < 1)
  {
    throw UserError(origin + ": Number of Frames is " + std::to_string(frames) + "; it must be at least 1");
  }
  format.frames = static_cast<std::uint32_t>(frames);
  format.samplesPerPixel = GetUint16(decoded, DCM_SamplesPerPixel, "Samples per Pixel", origin, false, 1);
  format.bitsAllocated = GetUint16(decoded, DCM_BitsAllocated, "Bits Allocated", origin, true);
  format.bitsStored = GetUint16(decoded, DCM_BitsStored, "Bits Stored", origin, false, format.bitsAllocated);
  format.highBit = GetUint16(decoded, DCM_HighBit, "High Bit", origin, false, format.bitsStored - 1);
  format.pixelRepresentation = GetUint16(decoded, DCM_PixelRepresentation, "Pixel Representation", origin, false, 0);
  format.photometricInterpretation = GetString(decoded, DCM_PhotometricInterpretation);
  format.planarConfiguration =
    GetUint16(const_cast<DcmDataset &>(dataset), DCM_PlanarConfiguration, "Planar Configuration", origin, false, 0);
  std::uint16_t decodedPlanar = GetUint16(decoded, DCM_PlanarConfiguration, "Planar Configuration", origin, false, 0);

  if (format.bitsAllocated != 8 && format.bitsAllocated != 16 && format.bitsAllocated != 32)
  {
    throw UnsupportedPixelDataError(origin + ": Bits Allocated " + std::to_string(format.bitsAllocated) +
                                    " is not supported (8, 16 or 32 are)");
  }
  if (format.bitsStored == 0 || format.bitsStored > format.bitsAllocated || format.highBit >= format.bitsAllocated ||
      format.highBit + 1 < format.bitsStored)
  {
    throw UserError(origin + ": inconsistent pixel module (Bits Allocated " + std::to_string(format.bitsAllocated) +
                    ", Bits Stored " + std::to_string(format.bitsStored) + ", High Bit " +
                    std::to_string(format.highBit) + ")");
  }
  if (format.samplesPerPixel != 1 && format.samplesPerPixel != 3)
  {
    throw UnsupportedPixelDataError(origin + ": Samples per Pixel " + std::to_string(format.samplesPerPixel) +
                                    " is not supported (1 or 3 are)");
  }
  if (format.rows == 0 || format.columns == 0)
  {
    throw UserError(origin + ": the image has zero Rows or Columns");
  }

  DcmElement * pixel = nullptr;
  if (decoded.findAndGetElement(DCM_PixelData, pixel).bad() || pixel == nullptr)
  {
    throw UserError(origin + ": cannot find the decoded Pixel Data");
  }
  std::vector<std::uint8_t> bytes =
    jpegLs ? DecodeJpegLs(*pixel, xfer, format, decodedPlanar, origin) : PixelBytes(*pixel, origin);
  const unsigned bytesPerSample = format.bitsAllocated / 8;
  const DcmXfer originalXfer(xfer);
  if (originalXfer.isBigEndian() && pixel->getTag().getEVR() == EVR_OW && bytesPerSample != 2)
  {
    // Big-endian OW is swapped word by word: 8-bit pairs and 32-bit halves come out in the wrong order.
    if (bytesPerSample == 1)
    {
      for (std::size_t i = 0; i + 1 < bytes.size(); i += 2)
      {
        std::swap(bytes[i], bytes[i + 1]);
      }
    }
    else
    {
      for (std::size_t i = 0; i + 3 < bytes.size(); i += 4)
      {
        std::swap(bytes[i], bytes[i + 2]);
        std::swap(bytes[i + 1], bytes[i + 3]);
      }
    }
  }

  const bool subsampled422 = format.photometricInterpretation == "YBR_FULL_422" && format.samplesPerPixel == 3;
  const std::size_t plane = format.PlaneSize();
  const std::size_t storedPerFrame = subsampled422 ? plane * 2 : plane * format.samplesPerPixel;
  const std::size_t needed = storedPerFrame * format.frames * bytesPerSample;
  if (subsampled422 && format.columns % 2 != 0)
  {
    throw UserError(origin + ": YBR_FULL_422 with an odd number of columns");
  }
  if (bytes.size() < needed)
  {
    throw UserError(origin + ": the Pixel Data holds " + std::to_string(bytes.size()) +
                    " bytes but the pixel module (" + std::to_string(format.rows) + " x " +
                    std::to_string(format.columns) + " x " + std::to_string(format.frames) + " frames x " +
                    std::to_string(format.samplesPerPixel) + " samples, " + std::to_string(format.bitsAllocated) +
                    " bits) needs " + std::to_string(needed) + " (truncated file?)");
  }

  const unsigned shift = format.highBit + 1u - format.bitsStored;
  const std::uint32_t mask = format.bitsStored == 32 ? 0xFFFFFFFFu : ((1u << format.bitsStored) - 1u);
  const std::uint32_t signBit = 1u << (format.bitsStored - 1u);
  const bool isSigned = format.pixelRepresentation == 1;
  auto normalise = [&](std::uint32_t raw)
  {
    std::uint32_t value = (raw >> shift) & mask;
    if (isSigned && (value & signBit) != 0)
    {
      value |= ~mask; // sign extension into 32 bits; WriteLittleEndian keeps the low bytes
    }
    return value;
  };

  const std::uint16_t channels = format.samplesPerPixel;
  result.m_Samples.resize(std::size_t{ format.frames } * channels * plane * bytesPerSample);
  for (std::uint32_t frame = 0; frame < format.frames; ++frame)
  {
    const std::uint8_t * source = bytes.data() + frame * storedPerFrame * bytesPerSample;
    std::uint8_t * target = result.m_Samples.data() + std::size_t{ frame } * channels * plane * bytesPerSample;
    for (std::size_t pixelIndex = 0; pixelIndex < plane; ++pixelIndex)
    {
      for (std::uint16_t channel = 0; channel < channels; ++channel)
      {
        std::size_t sourceIndex = 0;
        if (subsampled422)
        {
          // Y1 Y2 Cb Cr for each pair of pixels in a row.
          const std::size_t pair = pixelIndex / 2;
          sourceIndex = channel == 0 ? pair * 4 + (pixelIndex % 2) : pair * 4 + 1 + channel;
        }
        else if (channels == 1 || decodedPlanar == 0)
        {
          sourceIndex = pixelIndex * channels + channel;
        }
        else
        {
          sourceIndex = std::size_t{ channel } * plane + pixelIndex;
        }
        const std::uint32_t raw = ReadLittleEndian(source + sourceIndex * bytesPerSample, bytesPerSample);
        WriteLittleEndian(
          target + (std::size_t{ channel } * plane + pixelIndex) * bytesPerSample, bytesPerSample, normalise(raw));
      }
    }
  }
  if (subsampled422)
  {
    format.photometricInterpretation = "YBR_FULL";
  }
  return result;
}

SampleType
DicomPixelData::StoredSampleType() const
{
  const bool isSigned = m_Format.pixelRepresentation == 1;
  if (m_Format.bitsStored <= 8)
  {
    return isSigned ? SampleType::Int8 : SampleType::UInt8;
  }
  if (m_Format.bitsStored <= 16)
  {
    return isSigned ? SampleType::Int16 : SampleType::UInt16;
  }
  return isSigned ? SampleType::Int32 : SampleType::UInt32;
}

std::int64_t
DicomPixelData::Sample(std::uint32_t frame, std::uint16_t channel, std::uint32_t row, std::uint32_t column) const
{
  const unsigned bytesPerSample = m_Format.bitsAllocated / 8;
  const std::size_t index = (std::size_t{ frame } * m_Format.samplesPerPixel + channel) * m_Format.PlaneSize() +
                            std::size_t{ row } * m_Format.columns + column;
  const std::uint32_t raw = ReadLittleEndian(m_Samples.data() + index * bytesPerSample, bytesPerSample);
  if (m_Format.pixelRepresentation == 1)
  {
    switch (bytesPerSample)
    {
      case 1:
        return static_cast<std::int8_t>(raw);
      case 2:
        return static_cast<std::int16_t>(raw);
      default:
        return static_cast<std::int32_t>(raw);
    }
  }
  return raw;
}

std::vector<std::int64_t>
DicomPixelData::Plane(std::uint32_t frame, std::uint16_t channel) const
{
  if (frame >= m_Format.frames || channel >= m_Format.samplesPerPixel)
  {
    throw std::out_of_range("DicomPixelData::Plane: frame " + std::to_string(frame) + " channel " +
                            std::to_string(channel) + " is outside the image");
  }
  std::vector<std::int64_t> values;
  values.reserve(m_Format.PlaneSize());
  for (std::uint32_t row = 0; row < m_Format.rows; ++row)
  {
    for (std::uint32_t column = 0; column < m_Format.columns; ++column)
    {
      values.push_back(Sample(frame, channel, row, column));
    }
  }
  return values;
}

} // namespace medcrypt::dicom

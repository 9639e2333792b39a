#ifndef medcrypt_DicomPixelData_h
#define medcrypt_DicomPixelData_h

#include "medcrypt/Error.h"
#include "medcrypt/SampleType.h"

#include <dcmtk/dcmdata/dcdatset.h>

#include <cstdint>
#include <string>
#include <vector>

namespace medcrypt::dicom
{

/** Pixel Data that cannot be decoded: a transfer syntax without decoder (JPEG 2000, HTJ2K, video...) or
 * a pixel format MedCrypt does not handle (Bits Allocated 1, float pixels). The message names the file
 * and the syntax. */
class UnsupportedPixelDataError : public UserError
{
public:
  using UserError::UserError;
};

/** The image pixel module of decoded pixels (stored values, after decompression). */
struct PixelFormat
{
  std::uint32_t rows = 0;
  std::uint32_t columns = 0;
  std::uint32_t frames = 1;
  std::uint16_t samplesPerPixel = 1;
  std::uint16_t bitsAllocated = 0;
  std::uint16_t bitsStored = 0;
  std::uint16_t highBit = 0;
  /** 0 unsigned, 1 two's complement. */
  std::uint16_t pixelRepresentation = 0;
  /** Of the decoded values (see DicomPixelData for YBR). */
  std::string photometricInterpretation;
  /** Of the original file's Pixel Data (0 when absent); the decoded planes do not depend on it. */
  std::uint16_t planarConfiguration = 0;

  /** rows * columns. */
  std::size_t
  PlaneSize() const
  {
    return std::size_t{ rows } * columns;
  }
};

/** The stored values of a DICOM image's Pixel Data, decoded from any transfer syntax DCMTK decodes.
 *
 * Values are the stored values: no Modality LUT (rescale), VOI LUT or palette is applied. Bits above
 * Bits Stored (overlays, junk) are masked off; signed values (Pixel Representation 1) are sign-extended
 * from High Bit. Each frame has SamplesPerPixel planes ("channels"), each a rows x columns grey plane
 * in row-major order, whatever the Planar Configuration of the file.
 *
 * Colour: RGB stays RGB (channel 0 R, 1 G, 2 B). JPEG-compressed YBR_FULL/YBR_FULL_422 comes out as RGB
 * (DCMTK's JPEG decoder converts colour and the format then says "RGB"). Native or RLE YBR_FULL_422
 * (two luminance samples share one Cb/Cr pair) is expanded to full resolution: each pixel gets the Cb/Cr
 * of its pair, no colour conversion, and the format says "YBR_FULL". Other YBR and PALETTE COLOR are
 * returned as stored (PALETTE COLOR indices are one grey plane).
 *
 * Supported: Bits Allocated 8, 16 or 32 (Bits Stored <= Bits Allocated), 1 or 3 samples per pixel. */
class DicomPixelData
{
public:
  /** Decodes the Pixel Data of `dataset` (not changed: the work is done on a copy). `origin` (a file
   * name) names the input in errors. Throws UnsupportedPixelDataError for an undecodable syntax or pixel
   * format, UserError for missing or inconsistent pixel attributes or a decoder failure. */
  static DicomPixelData
  Decode(const DcmDataset & dataset, const std::string & origin);

  /** The pixel format of the decoded values. */
  const PixelFormat &
  Format() const
  {
    return m_Format;
  }

  /** The transfer syntax UID the Pixel Data was stored in. */
  const std::string &
  OriginalTransferSyntaxUid() const
  {
    return m_OriginalTransferSyntaxUid;
  }

  /** The smallest type that holds every stored value: (u)int8 for Bits Stored <= 8, (u)int16 for <= 16,
   * (u)int32 otherwise; signed when Pixel Representation is 1. */
  SampleType
  StoredSampleType() const;

  /** One stored value. The caller keeps frame < frames, channel < samplesPerPixel, row < rows and
   * column < columns. */
  std::int64_t
  Sample(std::uint32_t frame, std::uint16_t channel, std::uint32_t row, std::uint32_t column) const;

  /** The rows x columns stored values of one channel of one frame, row-major. Throws std::out_of_range
   * for a frame or channel outside the image. */
  std::vector<std::int64_t>
  Plane(std::uint32_t frame, std::uint16_t channel) const;

private:
  DicomPixelData() = default;

  PixelFormat m_Format;
  std::string m_OriginalTransferSyntaxUid;
  /** Decoded samples, frame by frame, channel plane by channel plane, little-endian, each
   * bitsAllocated / 8 bytes, already masked and sign-extended into that width. */
  std::vector<std::uint8_t> m_Samples;
};

} // namespace medcrypt::dicom

#endif

#ifndef medcryptTileSamples_h
#define medcryptTileSamples_h

// Moving samples between ITK images and the T x T float tiles of the cipher network: the intensity
// range, normalisation to [0, 1] with edge replication of the last row and column, and the inverse
// (denormalisation, rounding and clamping, cropping of the padding).

#include "itkImage.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <type_traits>
#include <utility>

namespace medcrypt
{

/** Minimum and maximum of the finite samples of a buffered image (NaN and infinities are skipped);
 * {0, 0} when there is none. */
template<typename TImage>
std::pair<double, double>
IntensityRange(const TImage * image)
{
  const auto * samples = image->GetBufferPointer();
  const std::size_t count = image->GetBufferedRegion().GetNumberOfPixels();
  double minimum = std::numeric_limits<double>::infinity();
  double maximum = -std::numeric_limits<double>::infinity();
  for (std::size_t i = 0; i < count; ++i)
  {
    const double value = static_cast<double>(samples[i]);
    if (std::isfinite(value))
    {
      minimum = std::min(minimum, value);
      maximum = std::max(maximum, value);
    }
  }
  return minimum <= maximum ? std::make_pair(minimum, maximum) : std::make_pair(0.0, 0.0);
}

/** (value - minimum) / (maximum - minimum) clamped to [0, 1]; 0 for a constant image and NaN, 1 for
 * +infinity. */
inline float
NormaliseSample(double value, double minimum, double maximum)
{
  if (std::isnan(value) || !(maximum > minimum))
  {
    return 0.0f;
  }
  const double t = (value - minimum) / (maximum - minimum);
  return static_cast<float>(std::clamp(t, 0.0, 1.0));
}

/** `value` as TPixel: rounded to the nearest integer and clamped to the type's range for integer types,
 * converted as it is for floating types. */
template<typename TPixel>
TPixel
ClampToPixel(double value)
{
  if constexpr (std::is_integral_v<TPixel>)
  {
    if (std::isnan(value))
    {
      return TPixel{ 0 };
    }
    const double lowest = static_cast<double>(std::numeric_limits<TPixel>::lowest());
    const double highest = static_cast<double>(std::numeric_limits<TPixel>::max());
    return static_cast<TPixel>(std::clamp(std::round(value), lowest, highest));
  }
  else
  {
    return static_cast<TPixel>(value);
  }
}

/** minimum + t (maximum - minimum) as TPixel (ClampToPixel). */
template<typename TPixel>
TPixel
DenormaliseSample(float t, double minimum, double maximum)
{
  return ClampToPixel<TPixel>(minimum + static_cast<double>(t) * (maximum - minimum));
}

/** Copies `region` (one tile inside the image, at most T x T, one slice in 3-D) into T x T floats
 * (x fastest) normalised to [0, 1]; the columns and rows beyond the region repeat its last column and
 * row. The image must be buffered whole. */
template<typename TImage>
void
ReadNormalisedTile(const TImage * image,
                   const itk::ImageRegion<TImage::ImageDimension> & region,
                   unsigned int tileSize,
                   double minimum,
                   double maximum,
                   float * tile)
{
  const auto width = static_cast<unsigned int>(region.GetSize(0));
  const auto height = static_cast<unsigned int>(region.GetSize(1));
  for (unsigned int y = 0; y < tileSize; ++y)
  {
    auto index = region.GetIndex();
    index[1] += std::min(y, height - 1);
    const auto * row = image->GetBufferPointer() + image->ComputeOffset(index);
    float * out = tile + static_cast<std::size_t>(y) * tileSize;
    for (unsigned int x = 0; x < tileSize; ++x)
    {
      out[x] = NormaliseSample(static_cast<double>(row[std::min(x, width - 1)]), minimum, maximum);
    }
  }
}

/** Writes the part of a T x T float tile (values in [0, 1]) that lies inside `region` into the image,
 * denormalised with minimum and maximum; the padding beyond the region is dropped. */
template<typename TImage>
void
WriteDenormalisedTile(TImage * image,
                      const itk::ImageRegion<TImage::ImageDimension> & region,
                      unsigned int tileSize,
                      double minimum,
                      double maximum,
                      const float * tile)
{
  using PixelType = typename TImage::PixelType;
  const auto width = static_cast<unsigned int>(region.GetSize(0));
  const auto height = static_cast<unsigned int>(region.GetSize(1));
  for (unsigned int y = 0; y < height; ++y)
  {
    auto index = region.GetIndex();
    index[1] += y;
    PixelType * row = image->GetBufferPointer() + image->ComputeOffset(index);
    const float * in = tile + static_cast<std::size_t>(y) * tileSize;
    for (unsigned int x = 0; x < width; ++x)
    {
      row[x] = DenormaliseSample<PixelType>(in[x], minimum, maximum);
    }
  }
}

/** The index of the first ciphertext sample of a tile: (column T, row T [, slice]) from the ciphertext's
 * region start. */
template<unsigned int VDimension, typename TPosition>
itk::Index<VDimension>
CipherTileIndex(const itk::Index<VDimension> & start, const TPosition & position, unsigned int tileSize)
{
  itk::Index<VDimension> index = start;
  index[0] += static_cast<itk::IndexValueType>(position.column) * tileSize;
  index[1] += static_cast<itk::IndexValueType>(position.row) * tileSize;
  if constexpr (VDimension == 3)
  {
    index[2] += position.slice;
  }
  return index;
}

} // namespace medcrypt

#endif

#ifndef medcryptSheppLoganPhantom_h
#define medcryptSheppLoganPhantom_h

#include "itkImage.h"
#include "itkImageRegionIteratorWithIndex.h"

#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>

namespace medcrypt
{

/** Parameters of a synthetic CT-like phantom (the modified Shepp-Logan head of Toft, 1996, with
 * attenuation steps turned into Hounsfield-like units), used for demos and tests so that no patient
 * data is needed. */
struct PhantomOptions
{
  unsigned int size = 256; // edge in pixels
  unsigned int slices = 1; // > 1 gives a 3-D volume whose ellipses shrink towards the ends
  double noiseSigma = 8.0; // Gaussian noise, in Hounsfield-like units
  std::uint64_t seed = 1;
};

namespace detail
{
struct PhantomEllipse
{
  double value, a, b, x0, y0, phiDegrees;
};

// Modified Shepp-Logan (Toft): additive intensities, semi-axes and centres in [-1, 1].
inline const std::array<PhantomEllipse, 10> &
SheppLoganEllipses()
{
  static const std::array<PhantomEllipse, 10> ellipses = { {
    { 1.0, 0.69, 0.92, 0.0, 0.0, 0.0 },
    { -0.8, 0.6624, 0.8740, 0.0, -0.0184, 0.0 },
    { -0.2, 0.1100, 0.3100, 0.22, 0.0, -18.0 },
    { -0.2, 0.1600, 0.4100, -0.22, 0.0, 18.0 },
    { 0.1, 0.2100, 0.2500, 0.0, 0.35, 0.0 },
    { 0.1, 0.0460, 0.0460, 0.0, 0.1, 0.0 },
    { 0.1, 0.0460, 0.0460, 0.0, -0.1, 0.0 },
    { 0.1, 0.0460, 0.0230, -0.08, -0.605, 0.0 },
    { 0.1, 0.0230, 0.0230, 0.0, -0.606, 0.0 },
    { 0.1, 0.0230, 0.0460, 0.06, -0.605, 0.0 },
  } };
  return ellipses;
}
} // namespace detail

/** Phantom intensity at normalised coordinates (x, y) in [-1, 1]^2 and relative height z in [-1, 1]
 * (ellipses scaled by sqrt(1 - z^2) along the volume), mapped to Hounsfield-like units: outside -1000,
 * skull about 1000, brain about 20, lesions up to 40. */
inline double
SheppLoganValue(double x, double y, double z)
{
  const double scale = std::sqrt(std::max(0.0, 1.0 - 0.8 * z * z));
  double sum = 0.0;
  bool insideHead = false;
  for (const auto & e : detail::SheppLoganEllipses())
  {
    const double phi = e.phiDegrees * M_PI / 180.0;
    const double dx = x - e.x0 * scale;
    const double dy = y - e.y0 * scale;
    const double u = (dx * std::cos(phi) + dy * std::sin(phi)) / (e.a * scale);
    const double v = (-dx * std::sin(phi) + dy * std::cos(phi)) / (e.b * scale);
    if (u * u + v * v <= 1.0)
    {
      sum += e.value;
      insideHead = true;
    }
  }
  // Toft's values: 1 skull, 0.2 brain, 0 ventricles, 0.3 - 0.4 lesions -> HU-like; outside: air.
  if (!insideHead)
  {
    return -1000.0;
  }
  return sum >= 0.99 ? 1000.0 : 20.0 + (sum - 0.2) * 200.0;
}

/** Fills a 2-D or 3-D image of any scalar pixel type with the phantom; values are shifted and clamped
 * to the pixel type's range (unsigned 16/32-bit types: +1024, as CT scanners store them; 8-bit types: the window
 * [-160, 240] HU mapped onto [0, 255]). */
template<typename TImage>
typename TImage::Pointer
MakeSheppLoganPhantom(const PhantomOptions & options)
{
  using PixelType = typename TImage::PixelType;
  constexpr unsigned int D = TImage::ImageDimension;
  static_assert(D == 2 || D == 3, "phantoms are 2-D or 3-D");
  typename TImage::SizeType size;
  size.Fill(options.size);
  if constexpr (D == 3)
  {
    size[2] = options.slices;
  }
  auto image = TImage::New();
  image->SetRegions(typename TImage::RegionType(size));
  image->Allocate();
  typename TImage::SpacingType spacing;
  spacing.Fill(250.0 / options.size); // a 25 cm field of view
  if constexpr (D == 3)
  {
    spacing[2] = 2.5;
  }
  image->SetSpacing(spacing);

  std::mt19937_64 random(options.seed);
  std::normal_distribution<double> noise(0.0, options.noiseSigma);
  const double offset = std::numeric_limits<PixelType>::is_signed || sizeof(PixelType) == 1 ? 0.0 : 1024.0;
  const double low = std::numeric_limits<PixelType>::is_integer ? double(std::numeric_limits<PixelType>::min()) : -1e30;
  const double high = std::numeric_limits<PixelType>::is_integer ? double(std::numeric_limits<PixelType>::max()) : 1e30;
  itk::ImageRegionIteratorWithIndex<TImage> it(image, image->GetLargestPossibleRegion());
  for (it.GoToBegin(); !it.IsAtEnd(); ++it)
  {
    const auto index = it.GetIndex();
    const double x = (2.0 * index[0] + 1.0) / options.size - 1.0;
    const double y = 1.0 - (2.0 * index[1] + 1.0) / options.size;
    double z = 0.0;
    if constexpr (D == 3)
    {
      z = options.slices > 1 ? (2.0 * index[2] + 1.0) / options.slices - 1.0 : 0.0;
    }
    double value = SheppLoganValue(x, y, z) + noise(random);
    if (sizeof(PixelType) == 1)
    {
      value = (value + 160.0) * 255.0 / 400.0; // 8-bit: the window [-160, 240] HU onto [0, 255]
    }
    value += offset;
    if (std::numeric_limits<PixelType>::is_integer)
    {
      value = std::round(value);
    }
    it.Set(static_cast<PixelType>(std::min(high, std::max(low, value))));
  }
  return image;
}

} // namespace medcrypt

#endif

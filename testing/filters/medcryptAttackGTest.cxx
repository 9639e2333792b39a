// The paper's cropping and noise attacks as ITK filters (filters/include/itk*AttackImageFilter.h):
// exactly which pixels a crop changes, the documented noise recipe re-implemented here, the measured
// standard deviation, clamping, and reproducibility across seeds, threads and streaming.
#include "itkCropAttackImageFilter.h"
#include "itkGaussianNoiseAttackImageFilter.h"
#include "itkStreamingImageFilter.h"

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

namespace
{

template<typename TPixel, unsigned int VDimension>
using ImagePointer = typename itk::Image<TPixel, VDimension>::Pointer;

/** An image of the given size (and start index) whose pixels in buffer order are f(0), f(1), ... */
template<typename TPixel, unsigned int VDimension, typename TFunction>
ImagePointer<TPixel, VDimension>
MakeImage(const std::array<itk::SizeValueType, VDimension> & extent,
          TFunction && f,
          const std::array<itk::IndexValueType, VDimension> & start = {})
{
  auto image = itk::Image<TPixel, VDimension>::New();
  typename itk::Image<TPixel, VDimension>::SizeType size;
  typename itk::Image<TPixel, VDimension>::IndexType index;
  for (unsigned int axis = 0; axis < VDimension; ++axis)
  {
    size[axis] = extent[axis];
    index[axis] = start[axis];
  }
  image->SetRegions(typename itk::Image<TPixel, VDimension>::RegionType(index, size));
  image->Allocate();
  TPixel * pixels = image->GetBufferPointer();
  const itk::SizeValueType count = image->GetBufferedRegion().GetNumberOfPixels();
  for (itk::SizeValueType i = 0; i < count; ++i)
  {
    pixels[i] = static_cast<TPixel>(f(i));
  }
  return image;
}

template<typename TPixel, unsigned int VDimension>
std::vector<TPixel>
Pixels(const itk::Image<TPixel, VDimension> * image)
{
  const TPixel * pixels = image->GetBufferPointer();
  return std::vector<TPixel>(pixels, pixels + image->GetBufferedRegion().GetNumberOfPixels());
}

// ---- crop ----------------------------------------------------------------------------------------------------------

TEST(CropAttack, WhiteRectangleAtAnIndexChangesExactlyThosePixels)
{
  // 10 x 8 uint8 image, pixel (x, y) = 1 + x + 10 y (never 255); a 4 x 3 rectangle at (2, 1).
  using ImageType = itk::Image<std::uint8_t, 2>;
  auto image = MakeImage<std::uint8_t, 2>({ 10, 8 }, [](itk::SizeValueType i) { return 1 + i; });
  auto filter = itk::CropAttackImageFilter<ImageType>::New();
  filter->SetInput(image);
  filter->SetRectangleSize({ { 4, 3 } });
  filter->SetRectangleIndex({ { 2, 1 } });
  filter->SetFillMode(itk::CropAttackFillModeEnum::White);
  filter->Update();
  EXPECT_FALSE(filter->GetCentreRectangle());
  EXPECT_EQ(filter->GetFillValue(), 255);
  const auto out = Pixels(filter->GetOutput());
  for (unsigned y = 0; y < 8; ++y)
  {
    for (unsigned x = 0; x < 10; ++x)
    {
      const bool inside = x >= 2 && x < 6 && y >= 1 && y < 4;
      EXPECT_EQ(out[x + 10 * y], inside ? 255 : 1 + x + 10 * y) << x << "," << y;
    }
  }
  // The input is untouched (not in place by default).
  EXPECT_EQ(Pixels(image.GetPointer())[2 + 10], 13);
}

TEST(CropAttack, CentredBlackRectangleUsesTheTypeMinimum)
{
  // int16, 10 x 8, rectangle 4 x 2 centred: first pixel ((10 - 4) / 2, (8 - 2) / 2) = (3, 3).
  using ImageType = itk::Image<std::int16_t, 2>;
  auto image = MakeImage<std::int16_t, 2>({ 10, 8 }, [](itk::SizeValueType i) { return 100 + i; });
  auto filter = itk::CropAttackImageFilter<ImageType>::New();
  filter->SetInput(image);
  filter->SetRectangleSize({ { 4, 2 } });
  filter->Update();
  EXPECT_EQ(filter->GetFillValue(), std::numeric_limits<std::int16_t>::lowest());
  const auto region = filter->GetAttackRegion();
  EXPECT_EQ(region.GetIndex()[0], 3);
  EXPECT_EQ(region.GetIndex()[1], 3);
  const auto out = Pixels(filter->GetOutput());
  int changed = 0;
  for (unsigned i = 0; i < out.size(); ++i)
  {
    const unsigned x = i % 10;
    const unsigned y = i / 10;
    const bool inside = x >= 3 && x < 7 && y >= 3 && y < 5;
    EXPECT_EQ(out[i], inside ? -32768 : static_cast<int>(100 + i)) << i;
    changed += inside;
  }
  EXPECT_EQ(changed, 8);
}

TEST(CropAttack, CutsTheSameRectangleFromEverySlice)
{
  using ImageType = itk::Image<std::uint16_t, 3>;
  auto image = MakeImage<std::uint16_t, 3>({ 6, 5, 3 }, [](itk::SizeValueType i) { return 7 * i; });
  auto filter = itk::CropAttackImageFilter<ImageType>::New();
  filter->SetInput(image);
  filter->SetRectangleSize({ { 2, 3 } });
  filter->SetRectangleIndex({ { 4, 1 } });
  filter->SetFillMode(itk::CropAttackFillModeEnum::White);
  filter->Update();
  const auto out = Pixels(filter->GetOutput());
  for (unsigned i = 0; i < out.size(); ++i)
  {
    const unsigned x = i % 6;
    const unsigned y = (i / 6) % 5;
    const bool inside = x >= 4 && y >= 1 && y < 4;
    EXPECT_EQ(out[i], inside ? 65535 : 7 * i) << i;
  }
}

TEST(CropAttack, FloatingImagesFillWithTheirOwnExtremes)
{
  using ImageType = itk::Image<float, 2>;
  // Values -2.5 + 0.25 i for i = 0 .. 38 (min -2.5, max 7.0), and one NaN that must be ignored.
  auto image = MakeImage<float, 2>({ 8, 5 },
                                   [](itk::SizeValueType i) {
                                     return i == 39 ? std::numeric_limits<float>::quiet_NaN()
                                                    : -2.5f + 0.25f * static_cast<float>(i);
                                   });
  auto filter = itk::CropAttackImageFilter<ImageType>::New();
  filter->SetInput(image);
  filter->SetRectangleSize({ { 2, 2 } });
  filter->Update();
  EXPECT_EQ(filter->GetFillValue(), -2.5f);
  filter->SetFillMode(itk::CropAttackFillModeEnum::White);
  filter->Update();
  EXPECT_EQ(filter->GetFillValue(), 7.0f);
  // Centred 2 x 2 in 8 x 5: x 3..4, y 1..2.
  const auto out = Pixels(filter->GetOutput());
  EXPECT_EQ(out[3 + 8 * 1], 7.0f);
  EXPECT_EQ(out[4 + 8 * 2], 7.0f);
  EXPECT_EQ(out[2 + 8 * 1], -2.5f + 0.25f * 10);
}

TEST(CropAttack, RectanglesReachingOutsideAreClipped)
{
  // Image with start index (5, -3): the rectangle at (3, -4) of size 4 x 3 covers x 5..6, y -3..-2.
  using ImageType = itk::Image<std::uint8_t, 2>;
  auto image = MakeImage<std::uint8_t, 2>({ 6, 4 }, [](itk::SizeValueType) { return 9; }, { 5, -3 });
  auto filter = itk::CropAttackImageFilter<ImageType>::New();
  filter->SetInput(image);
  filter->SetRectangleSize({ { 4, 3 } });
  filter->SetRectangleIndex({ { 3, -4 } });
  filter->Update();
  const auto out = Pixels(filter->GetOutput());
  for (unsigned i = 0; i < out.size(); ++i)
  {
    const bool inside = (i % 6) < 2 && (i / 6) < 2;
    EXPECT_EQ(out[i], inside ? 0 : 9) << i;
  }
  // Larger than the image: everything; entirely outside: nothing.
  filter->SetRectangleSize({ { 100, 100 } });
  filter->CentreRectangleOn();
  filter->Update();
  EXPECT_EQ(Pixels(filter->GetOutput()), std::vector<std::uint8_t>(24, 0));
  filter->SetRectangleSize({ { 2, 2 } });
  filter->SetRectangleIndex({ { 50, 50 } });
  filter->Update();
  EXPECT_EQ(Pixels(filter->GetOutput()), std::vector<std::uint8_t>(24, 9));
}

TEST(CropAttack, PaperCropsInPlaceOnA256Ciphertext)
{
  using ImageType = itk::Image<std::uint16_t, 2>;
  for (itk::SizeValueType edge : { 30u, 50u, 100u })
  {
    auto image = MakeImage<std::uint16_t, 2>({ 256, 256 }, [](itk::SizeValueType i) { return 1 + i % 60000; });
    const std::uint16_t * buffer = image->GetBufferPointer();
    const auto before = Pixels(image.GetPointer());
    auto filter = itk::CropAttackImageFilter<ImageType>::New();
    filter->SetInput(image);
    filter->SetRectangleSize({ { edge, edge } });
    filter->InPlaceOn();
    filter->Update();
    EXPECT_EQ(filter->GetOutput()->GetBufferPointer(), buffer);
    const auto after = Pixels(filter->GetOutput());
    std::size_t changed = 0;
    for (std::size_t i = 0; i < after.size(); ++i)
    {
      changed += after[i] != before[i];
      if (after[i] != before[i])
      {
        EXPECT_EQ(after[i], 0);
      }
    }
    EXPECT_EQ(changed, edge * edge);
  }
}

// ---- Gaussian noise ------------------------------------------------------------------------------------------------

/** The documented recipe, written again here: line n's generator, Box-Muller pairs in order. */
std::vector<double>
ReferenceNoise(std::uint64_t seed, std::uint64_t line, std::size_t count)
{
  auto splitMix = [](std::uint64_t z)
  {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  };
  std::mt19937_64 engine(splitMix(seed + (line + 1) * 0x9E3779B97F4A7C15ull));
  std::vector<double> noise;
  while (noise.size() < count)
  {
    const double u1 = (static_cast<double>(engine() >> 11) + 0.5) / 9007199254740992.0;
    const double u2 = (static_cast<double>(engine() >> 11) + 0.5) / 9007199254740992.0;
    const double r = std::sqrt(-2.0 * std::log(u1));
    noise.push_back(r * std::cos(2.0 * M_PI * u2));
    noise.push_back(r * std::sin(2.0 * M_PI * u2));
  }
  noise.resize(count);
  return noise;
}

TEST(GaussianNoiseAttack, FollowsTheDocumentedRecipe)
{
  // double 5 x 3 x 2 image, DataRange 200, 2.5 % -> sigma 5; line n = y + 3 z.
  using ImageType = itk::Image<double, 3>;
  auto image = MakeImage<double, 3>({ 5, 3, 2 }, [](itk::SizeValueType i) { return 10.0 * i; });
  auto filter = itk::GaussianNoiseAttackImageFilter<ImageType>::New();
  filter->SetInput(image);
  filter->SetPercent(2.5);
  filter->SetDataRange(200);
  filter->SetSeed(12345);
  filter->Update();
  EXPECT_DOUBLE_EQ(filter->GetStandardDeviation(), 5.0);
  const auto out = Pixels(filter->GetOutput());
  for (std::uint64_t line = 0; line < 6; ++line)
  {
    const auto noise = ReferenceNoise(12345, line, 5);
    for (std::size_t x = 0; x < 5; ++x)
    {
      const std::size_t i = line * 5 + x;
      EXPECT_EQ(out[i], 10.0 * i + filter->GetStandardDeviation() * noise[x]) << i;
    }
  }
}

TEST(GaussianNoiseAttack, SameSeedSameNoiseWhateverTheThreadsOrStreaming)
{
  using ImageType = itk::Image<std::uint16_t, 2>;
  auto image = MakeImage<std::uint16_t, 2>({ 97, 61 }, [](itk::SizeValueType i) { return 1000 + 13 * i; });
  auto run = [&](std::uint64_t seed, unsigned workUnits, unsigned streams)
  {
    auto filter = itk::GaussianNoiseAttackImageFilter<ImageType>::New();
    filter->SetInput(image);
    filter->SetSeed(seed);
    filter->SetPercent(2);
    filter->SetNumberOfWorkUnits(workUnits);
    auto streamer = itk::StreamingImageFilter<ImageType, ImageType>::New();
    streamer->SetInput(filter->GetOutput());
    streamer->SetNumberOfStreamDivisions(streams);
    streamer->Update();
    return Pixels(streamer->GetOutput());
  };
  const auto reference = run(7, 1, 1);
  EXPECT_EQ(run(7, 1, 1), reference);
  EXPECT_EQ(run(7, 8, 1), reference);
  EXPECT_EQ(run(7, 3, 5), reference);
  EXPECT_NE(run(8, 1, 1), reference);

  // A requested region that starts inside the lines (x 10..49, y 20..29) gets the same values.
  auto filter = itk::GaussianNoiseAttackImageFilter<ImageType>::New();
  filter->SetInput(image);
  filter->SetSeed(7);
  filter->SetPercent(2);
  const ImageType::RegionType part({ { 10, 20 } }, { { 40, 10 } });
  filter->GetOutput()->SetRequestedRegion(part);
  filter->Update();
  ASSERT_EQ(filter->GetOutput()->GetBufferedRegion(), part);
  for (itk::IndexValueType y = 20; y < 30; ++y)
  {
    for (itk::IndexValueType x = 10; x < 50; ++x)
    {
      EXPECT_EQ(filter->GetOutput()->GetPixel({ { x, y } }), reference[x + 97 * y]) << x << "," << y;
    }
  }
}

TEST(GaussianNoiseAttack, MeasuredStandardDeviationMatchesTheRequest)
{
  // uint16 constant 30000, 256 x 256, 1 % of 65535 -> sigma 655.35, far from the type's limits. The
  // sample standard deviation of 65536 values has a relative spread of about 1 / sqrt(2 n) = 0.3 %.
  using ImageType = itk::Image<std::uint16_t, 2>;
  auto image = MakeImage<std::uint16_t, 2>({ 256, 256 }, [](itk::SizeValueType) { return 30000; });
  auto filter = itk::GaussianNoiseAttackImageFilter<ImageType>::New();
  filter->SetInput(image);
  filter->SetSeed(2024);
  filter->Update();
  EXPECT_DOUBLE_EQ(filter->GetStandardDeviation(), 655.35);
  const auto out = Pixels(filter->GetOutput());
  double sum = 0.0;
  double sumSquares = 0.0;
  std::size_t withinOneSigma = 0;
  for (std::uint16_t v : out)
  {
    const double d = static_cast<double>(v) - 30000.0;
    sum += d;
    sumSquares += d * d;
    withinOneSigma += std::abs(d) <= 655.35;
  }
  const double n = static_cast<double>(out.size());
  const double mean = sum / n;
  const double sigma = std::sqrt(sumSquares / n - mean * mean);
  EXPECT_NEAR(mean, 0.0, 4 * 655.35 / 256);         // 4 standard errors
  EXPECT_NEAR(sigma / 655.35, 1.0, 0.015);          // 5 relative standard errors
  EXPECT_NEAR(withinOneSigma / n, 0.682689, 0.008); // P(|z| <= 1), 4 standard errors (0.0018)
}

TEST(GaussianNoiseAttack, ResultsAreClampedToTheType)
{
  // uint8 at 250 with 10 % noise (sigma 25.5): without clamping, values over 255 would wrap to
  // small numbers. Rounded values reach 255 when v >= 254.5, i.e. z >= 4.5 / 25.5: P = 0.42996.
  using ImageType = itk::Image<std::uint8_t, 2>;
  auto image = MakeImage<std::uint8_t, 2>({ 256, 256 }, [](itk::SizeValueType) { return 250; });
  auto filter = itk::GaussianNoiseAttackImageFilter<ImageType>::New();
  filter->SetInput(image);
  filter->SetPercent(10);
  filter->SetSeed(99);
  filter->Update();
  const auto out = Pixels(filter->GetOutput());
  std::size_t atTop = 0;
  std::uint8_t lowest = 255;
  for (std::uint8_t v : out)
  {
    atTop += v == 255;
    lowest = std::min(lowest, v);
  }
  EXPECT_NEAR(atTop / static_cast<double>(out.size()), 0.42996, 0.008);
  EXPECT_GT(lowest, 250 - 6 * 25.5); // no wrapped values near 0

  // int16 near its top: no wrap to negative values.
  using SignedType = itk::Image<std::int16_t, 2>;
  auto top = MakeImage<std::int16_t, 2>({ 64, 64 }, [](itk::SizeValueType) { return 32700; });
  auto signedFilter = itk::GaussianNoiseAttackImageFilter<SignedType>::New();
  signedFilter->SetInput(top);
  signedFilter->SetPercent(1); // sigma 655.35
  signedFilter->Update();
  std::size_t clamped = 0;
  for (std::int16_t v : Pixels(signedFilter->GetOutput()))
  {
    EXPECT_GT(v, 32700 - 6 * 656);
    clamped += v == 32767;
  }
  EXPECT_GT(clamped, 0u);
}

TEST(GaussianNoiseAttack, FloatingRangeDefaultsToTheImageRangeAndBadSettingsThrow)
{
  using ImageType = itk::Image<float, 2>;
  auto image = MakeImage<float, 2>({ 11, 3 }, [](itk::SizeValueType i) { return i % 11 * 0.2f; }); // 0 .. 2
  auto filter = itk::GaussianNoiseAttackImageFilter<ImageType>::New();
  filter->SetInput(image);
  filter->Update();
  EXPECT_NEAR(filter->GetStandardDeviation(), 0.02, 1e-7); // 1 % of max - min = 2 (float 2.0f exact)
  filter->SetPercent(0);
  filter->Update();
  EXPECT_EQ(Pixels(filter->GetOutput()), Pixels(image.GetPointer()));
  filter->SetPercent(-1);
  EXPECT_THROW(filter->Update(), itk::ExceptionObject);
  filter->SetPercent(1);
  filter->SetDataRange(std::numeric_limits<double>::infinity());
  EXPECT_THROW(filter->Update(), itk::ExceptionObject);
}

} // namespace

// Tests of the paper's metrics as ITK calculators (filters/include/itk*Calculator.h): values worked
// out by hand on tiny images, and agreement with deliberately naive implementations written here
// (different formulas and loops) on random images of every scalar pixel type and a smooth image.
#include "itkAdjacentPixelCorrelationCalculator.h"
#include "itkDifferentialAttackMetricsCalculator.h"
#include "itkImageEntropyCalculator.h"
#include "itkPeakSignalToNoiseRatioCalculator.h"
#include "itkStructuralSimilarityCalculator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <random>
#include <sstream>
#include <vector>

namespace
{

template<typename TPixel, unsigned int VDimension>
using ImagePointer = typename itk::Image<TPixel, VDimension>::Pointer;

/** An image of the given size whose pixels, in buffer order (x fastest), are `values`. */
template<typename TPixel, unsigned int VDimension>
ImagePointer<TPixel, VDimension>
MakeImage(const std::array<itk::SizeValueType, VDimension> & extent, const std::vector<TPixel> & values)
{
  auto image = itk::Image<TPixel, VDimension>::New();
  typename itk::Image<TPixel, VDimension>::SizeType size;
  for (unsigned int axis = 0; axis < VDimension; ++axis)
  {
    size[axis] = extent[axis];
  }
  image->SetRegions(size);
  image->Allocate();
  EXPECT_EQ(values.size(), image->GetBufferedRegion().GetNumberOfPixels());
  std::copy(values.begin(), values.end(), image->GetBufferPointer());
  return image;
}

/** Uniformly random pixels: the whole range of an integer type, [-1000, 1000) for floating types. */
template<typename TPixel>
std::vector<TPixel>
RandomValues(std::size_t count, std::uint64_t seed)
{
  std::mt19937_64 generator(seed);
  std::vector<TPixel> values(count);
  if constexpr (std::is_integral_v<TPixel>)
  {
    std::uniform_int_distribution<long long> distribution(std::numeric_limits<TPixel>::lowest(),
                                                          std::numeric_limits<TPixel>::max());
    for (auto & value : values)
    {
      value = static_cast<TPixel>(distribution(generator));
    }
  }
  else
  {
    std::uniform_real_distribution<double> distribution(-1000.0, 1000.0);
    for (auto & value : values)
    {
      value = static_cast<TPixel>(distribution(generator));
    }
  }
  return values;
}

/** A smooth, natural-like image: slow sines plus 1 % noise, spread over most of the type's range. */
template<typename TPixel>
std::vector<TPixel>
SmoothValues(itk::SizeValueType width, itk::SizeValueType height, itk::SizeValueType slices, std::uint64_t seed)
{
  std::mt19937_64 generator(seed);
  std::uniform_real_distribution<double> noise(-0.01, 0.01);
  std::vector<TPixel> values;
  for (itk::SizeValueType z = 0; z < slices; ++z)
  {
    for (itk::SizeValueType y = 0; y < height; ++y)
    {
      for (itk::SizeValueType x = 0; x < width; ++x)
      {
        const double t =
          0.5 + 0.3 * std::sin(x / 6.0 + z) * std::cos(y / 9.0) + 0.1 * std::sin((x + y) / 4.0) + noise(generator);
        if constexpr (std::is_integral_v<TPixel>)
        {
          const double lowest = static_cast<double>(std::numeric_limits<TPixel>::lowest());
          const double highest = static_cast<double>(std::numeric_limits<TPixel>::max());
          values.push_back(static_cast<TPixel>(std::round(lowest + t * (highest - lowest))));
        }
        else
        {
          values.push_back(static_cast<TPixel>(t * 1000.0 - 200.0));
        }
      }
    }
  }
  return values;
}

// ---------------------------------------------------------------------------------------------------
// Naive implementations, written independently of the calculators.

/** Entropy with a std::map histogram; integer bins as floor((v - lowest) / 2^(B - N)) by division. */
template<typename TPixel>
double
NaiveEntropy(const std::vector<TPixel> & values, unsigned int bits)
{
  std::map<long long, std::size_t> histogram;
  [[maybe_unused]] const auto [low, high] = std::minmax_element(values.begin(), values.end());
  for (const TPixel value : values)
  {
    long long bin = 0;
    if constexpr (std::is_integral_v<TPixel>)
    {
      const long long fromLowest =
        static_cast<long long>(value) - static_cast<long long>(std::numeric_limits<TPixel>::lowest());
      const long long binWidth = 1LL << (8 * sizeof(TPixel) - bits);
      bin = fromLowest / binWidth;
    }
    else
    {
      const double span = static_cast<double>(*high) - static_cast<double>(*low);
      const double bins = std::pow(2.0, bits);
      bin = span > 0 ? static_cast<long long>(std::min(
                         bins - 1, std::floor((static_cast<double>(value) - static_cast<double>(*low)) / span * bins)))
                     : 0;
    }
    ++histogram[bin];
  }
  double entropy = 0.0;
  for (const auto & entry : histogram)
  {
    const double p = static_cast<double>(entry.second) / static_cast<double>(values.size());
    entropy -= p * std::log(p) / std::log(2.0);
  }
  return entropy;
}

/** Pearson r by the one-pass textbook formula in long double (0 for a constant sequence). */
double
NaivePearson(const std::vector<std::pair<double, double>> & pairs)
{
  long double n = pairs.size(), sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
  for (const auto & [x, y] : pairs)
  {
    sx += x;
    sy += y;
    sxx += static_cast<long double>(x) * x;
    syy += static_cast<long double>(y) * y;
    sxy += static_cast<long double>(x) * y;
  }
  const long double vx = n * sxx - sx * sx;
  const long double vy = n * syy - sy * sy;
  if (vx <= 0 || vy <= 0)
  {
    return 0.0;
  }
  return static_cast<double>((n * sxy - sx * sy) / std::sqrt(vx * vy));
}

/** The adjacent pairs of a W x H x S buffer: every valid (x, y, z) listed by explicit nested loops in
 * row-major order; when `count` > 0, `count` entries drawn as list[g mod size] from mt19937_64(seed). */
template<typename TPixel>
std::vector<std::pair<double, double>>
NaivePairs(const std::vector<TPixel> & values,
           std::size_t W,
           std::size_t H,
           std::size_t S,
           int dx,
           int dy,
           std::size_t count,
           std::uint64_t seed)
{
  std::vector<std::pair<double, double>> all;
  for (std::size_t z = 0; z < S; ++z)
  {
    for (std::size_t y = 0; y + dy < H; ++y)
    {
      for (std::size_t x = 0; x + dx < W; ++x)
      {
        all.emplace_back(static_cast<double>(values[(z * H + y) * W + x]),
                         static_cast<double>(values[(z * H + y + dy) * W + x + dx]));
      }
    }
  }
  if (count == 0)
  {
    return all;
  }
  std::mt19937_64 generator(seed);
  std::vector<std::pair<double, double>> drawn;
  for (std::size_t i = 0; i < count; ++i)
  {
    drawn.push_back(all[generator() % all.size()]);
  }
  return drawn;
}

/** Mean SSIM by direct 11x11 windows with the 2-D Gaussian built here and centred moments, slice by
 * slice, averaged over all valid windows. */
template<typename TPixel>
double
NaiveSSIM(const std::vector<TPixel> & a,
          const std::vector<TPixel> & b,
          std::size_t W,
          std::size_t H,
          std::size_t S,
          double L)
{
  double window[11][11];
  double total = 0.0;
  for (int j = 0; j < 11; ++j)
  {
    for (int i = 0; i < 11; ++i)
    {
      window[j][i] = std::exp(-((i - 5) * (i - 5) + (j - 5) * (j - 5)) / (2.0 * 1.5 * 1.5));
      total += window[j][i];
    }
  }
  const double C1 = (0.01 * L) * (0.01 * L);
  const double C2 = (0.03 * L) * (0.03 * L);
  double sum = 0.0;
  std::size_t windows = 0;
  for (std::size_t z = 0; z < S; ++z)
  {
    const auto at = [&](const std::vector<TPixel> & image, std::size_t x, std::size_t y)
    { return static_cast<double>(image[(z * H + y) * W + x]); };
    for (std::size_t y0 = 0; y0 + 11 <= H; ++y0)
    {
      for (std::size_t x0 = 0; x0 + 11 <= W; ++x0)
      {
        double mx = 0, my = 0;
        for (int j = 0; j < 11; ++j)
        {
          for (int i = 0; i < 11; ++i)
          {
            mx += window[j][i] / total * at(a, x0 + i, y0 + j);
            my += window[j][i] / total * at(b, x0 + i, y0 + j);
          }
        }
        double vx = 0, vy = 0, cxy = 0;
        for (int j = 0; j < 11; ++j)
        {
          for (int i = 0; i < 11; ++i)
          {
            const double w = window[j][i] / total;
            const double ex = at(a, x0 + i, y0 + j) - mx;
            const double ey = at(b, x0 + i, y0 + j) - my;
            vx += w * ex * ex;
            vy += w * ey * ey;
            cxy += w * ex * ey;
          }
        }
        sum += (2 * mx * my + C1) * (2 * cxy + C2) / ((mx * mx + my * my + C1) * (vx + vy + C2));
        ++windows;
      }
    }
  }
  return sum / windows;
}

/** The largest value F of an integer type as max - lowest (NPCR/UACI and the 8-bit data range). */
template<typename TPixel>
double
NaiveFullScale()
{
  return static_cast<double>(std::numeric_limits<TPixel>::max()) -
         static_cast<double>(std::numeric_limits<TPixel>::lowest());
}

template<typename TImage>
double
Entropy(const TImage * image, unsigned int bits = 8)
{
  auto calculator = itk::ImageEntropyCalculator<TImage>::New();
  calculator->SetImage(image);
  calculator->SetNumberOfBits(bits);
  calculator->Compute();
  return calculator->GetEntropy();
}

template<typename TImage>
double
Correlation(const TImage * image,
            itk::AdjacentPixelDirectionEnum direction,
            itk::SizeValueType pairs = 0,
            std::uint64_t seed = 0)
{
  auto calculator = itk::AdjacentPixelCorrelationCalculator<TImage>::New();
  calculator->SetImage(image);
  calculator->SetDirection(direction);
  calculator->SetNumberOfPairs(pairs);
  calculator->SetSeed(seed);
  calculator->Compute();
  return calculator->GetCorrelation();
}

template<typename TImage>
typename itk::DifferentialAttackMetricsCalculator<TImage>::Pointer
Differential(const TImage * first, const TImage * second)
{
  auto calculator = itk::DifferentialAttackMetricsCalculator<TImage>::New();
  calculator->SetFirstImage(first);
  calculator->SetSecondImage(second);
  calculator->Compute();
  return calculator;
}

template<typename TImage>
double
PSNR(const TImage * reference, const TImage * test, double dataRange = 0.0)
{
  auto calculator = itk::PeakSignalToNoiseRatioCalculator<TImage>::New();
  calculator->SetReferenceImage(reference);
  calculator->SetTestImage(test);
  if (dataRange > 0.0)
  {
    calculator->SetDataRange(dataRange);
  }
  calculator->Compute();
  return calculator->GetPSNR();
}

template<typename TImage>
double
SSIM(const TImage * reference, const TImage * test, double dataRange = 0.0)
{
  auto calculator = itk::StructuralSimilarityCalculator<TImage>::New();
  calculator->SetReferenceImage(reference);
  calculator->SetTestImage(test);
  if (dataRange > 0.0)
  {
    calculator->SetDataRange(dataRange);
  }
  calculator->Compute();
  return calculator->GetSSIM();
}

using Image8 = itk::Image<std::uint8_t, 2>;
using Direction = itk::AdjacentPixelDirectionEnum;

} // namespace

// ---------------------------------------------------------------------------------------------------
// Entropy (Eq. 8)

TEST(ImageEntropyCalculator, HandWorkedValues)
{
  // {0, 0, 1, 255}: p = 1/2, 1/4, 1/4 -> H = 1/2 * 1 + 1/4 * 2 + 1/4 * 2 = 1.5 bits.
  EXPECT_DOUBLE_EQ(Entropy(MakeImage<std::uint8_t, 2>({ 2, 2 }, { 0, 0, 1, 255 }).GetPointer()), 1.5);

  // 0..255 once each: 256 equal bins -> 8 bits; 4-bit view: 16 bins of 16 -> 4 bits.
  std::vector<std::uint8_t> ramp(256);
  for (int i = 0; i < 256; ++i)
  {
    ramp[i] = static_cast<std::uint8_t>(i);
  }
  const auto rampImage = MakeImage<std::uint8_t, 2>({ 16, 16 }, ramp);
  EXPECT_DOUBLE_EQ(Entropy(rampImage.GetPointer()), 8.0);
  EXPECT_DOUBLE_EQ(Entropy(rampImage.GetPointer(), 4), 4.0);

  // A constant image: one bin, 0 log 0 = 0 elsewhere -> 0 bits.
  EXPECT_DOUBLE_EQ(Entropy(MakeImage<std::uint8_t, 2>({ 2, 2 }, { 7, 7, 7, 7 }).GetPointer()), 0.0);
}

TEST(ImageEntropyCalculator, IntensityViewOfEveryIntegerKind)
{
  // int8 {-128, -1, 0, 127} shifted by 128 -> {0, 127, 128, 255}: 8-bit view 4 bins -> 2 bits;
  // 1-bit view (>> 7) -> {0, 0, 1, 1} -> 1 bit.
  const auto signedImage = MakeImage<std::int8_t, 2>({ 2, 2 }, { -128, -1, 0, 127 });
  EXPECT_DOUBLE_EQ(Entropy(signedImage.GetPointer()), 2.0);
  EXPECT_DOUBLE_EQ(Entropy(signedImage.GetPointer(), 1), 1.0);

  // uint16 {0x00FF, 0x0100, 0xFFFF, 0x01FF} >> 8 = {0, 1, 255, 1}: p = 1/4, 1/2, 1/4 -> 1.5 bits.
  auto calculator = itk::ImageEntropyCalculator<itk::Image<std::uint16_t, 2>>::New();
  const auto wide = MakeImage<std::uint16_t, 2>({ 2, 2 }, { 0x00FF, 0x0100, 0xFFFF, 0x01FF });
  calculator->SetImage(wide);
  calculator->Compute();
  EXPECT_DOUBLE_EQ(calculator->GetEntropy(), 1.5);
  ASSERT_EQ(calculator->GetHistogram().size(), 256u);
  EXPECT_EQ(calculator->GetHistogram()[0], 1u);
  EXPECT_EQ(calculator->GetHistogram()[1], 2u);
  EXPECT_EQ(calculator->GetHistogram()[255], 1u);

  // int16: -32768 -> 0 -> bin 0, 32767 -> 65535 -> bin 255, 0 -> 32768 -> bin 128.
  auto shortCalculator = itk::ImageEntropyCalculator<itk::Image<std::int16_t, 2>>::New();
  shortCalculator->SetImage(MakeImage<std::int16_t, 2>({ 3, 1 }, { -32768, 32767, 0 }));
  shortCalculator->Compute();
  EXPECT_EQ(shortCalculator->GetHistogram()[0], 1u);
  EXPECT_EQ(shortCalculator->GetHistogram()[128], 1u);
  EXPECT_EQ(shortCalculator->GetHistogram()[255], 1u);
}

TEST(ImageEntropyCalculator, FloatingViewUsesTheImageRange)
{
  // min 0, max 1, 2-bit view: floor(v * 4) = 0, 1, 2, 4 -> clamped 3: four bins of one -> 2 bits.
  const auto image = MakeImage<float, 2>({ 2, 2 }, { 0.0f, 0.25f, 0.5f, 1.0f });
  EXPECT_DOUBLE_EQ(Entropy(image.GetPointer(), 2), 2.0);
  // A constant floating image puts everything in bin 0.
  EXPECT_DOUBLE_EQ(Entropy(MakeImage<double, 2>({ 2, 1 }, { 3.5, 3.5 }).GetPointer()), 0.0);
}

TEST(ImageEntropyCalculator, RefusesBitCountsThatDoNotFit)
{
  const auto image = MakeImage<std::uint8_t, 2>({ 2, 1 }, { 1, 2 });
  EXPECT_THROW(Entropy(image.GetPointer(), 9), itk::ExceptionObject);
  EXPECT_THROW(Entropy(image.GetPointer(), 0), itk::ExceptionObject);
  auto calculator = itk::ImageEntropyCalculator<Image8>::New();
  EXPECT_THROW(calculator->Compute(), itk::ExceptionObject); // no image
}

TEST(ImageEntropyCalculator, ThreeDimensionalImageIsOneHistogram)
{
  // 2x2x2 voxels, eight distinct values -> 3 bits.
  const auto volume = MakeImage<std::uint8_t, 3>({ 2, 2, 2 }, { 0, 10, 20, 30, 40, 50, 60, 70 });
  EXPECT_DOUBLE_EQ(Entropy(volume.GetPointer()), 3.0);
}

TEST(ImageEntropyCalculator, ItkConventions)
{
  auto calculator = itk::ImageEntropyCalculator<Image8>::New();
  EXPECT_STREQ(calculator->GetNameOfClass(), "ImageEntropyCalculator");
  EXPECT_EQ(calculator->GetNumberOfBits(), 8u);
  std::ostringstream printed;
  calculator->Print(printed);
  EXPECT_NE(printed.str().find("NumberOfBits: 8"), std::string::npos);
}

// ---------------------------------------------------------------------------------------------------
// Adjacent-pixel correlation (Eq. 10-13)

TEST(AdjacentPixelCorrelationCalculator, HandWorkedValues)
{
  // 3x2 image, rows [1 2 3] and [4 5 7].
  const auto image = MakeImage<std::uint8_t, 2>({ 3, 2 }, { 1, 2, 3, 4, 5, 7 });
  // Horizontal pairs (1,2) (2,3) (4,5) (5,7): x mean 3, y mean 4.25; centred x -2 -1 1 2, centred y
  // -2.25 -1.25 0.75 2.75: sum xy = 12, sum xx = 10, sum yy = 14.75 -> r = 12 / sqrt(147.5).
  EXPECT_NEAR(Correlation(image.GetPointer(), Direction::Horizontal), 12.0 / std::sqrt(147.5), 1e-15);
  // Vertical pairs (1,4) (2,5) (3,7): x mean 2, y mean 16/3; centred x -1 0 1, y -4/3 -1/3 5/3:
  // sum xy = 3, sum xx = 2, sum yy = 42/9 -> r = 3 / sqrt(2 * 42 / 9).
  EXPECT_NEAR(Correlation(image.GetPointer(), Direction::Vertical), 3.0 / std::sqrt(2.0 * 42.0 / 9.0), 1e-15);
  // Diagonal pairs (1,5) (2,7): two points on a rising line -> r = 1.
  EXPECT_NEAR(Correlation(image.GetPointer(), Direction::Diagonal), 1.0, 1e-15);

  // Alternating columns 0 255 0 255: every horizontal pair is (0,255) or (255,0) -> r = -1.
  const auto stripes = MakeImage<std::uint8_t, 2>({ 4, 2 }, { 0, 255, 0, 255, 0, 255, 0, 255 });
  EXPECT_NEAR(Correlation(stripes.GetPointer(), Direction::Horizontal), -1.0, 1e-15);
  // Vertical pairs are (0,0) and (255,255) -> r = 1.
  EXPECT_NEAR(Correlation(stripes.GetPointer(), Direction::Vertical), 1.0, 1e-15);
  // A constant image: D(x) = 0 -> r is defined as 0.
  const auto flat = MakeImage<std::uint8_t, 2>({ 3, 3 }, std::vector<std::uint8_t>(9, 42));
  EXPECT_EQ(Correlation(flat.GetPointer(), Direction::Diagonal), 0.0);
}

TEST(AdjacentPixelCorrelationCalculator, CountsPairs)
{
  auto calculator = itk::AdjacentPixelCorrelationCalculator<Image8>::New();
  EXPECT_STREQ(calculator->GetNameOfClass(), "AdjacentPixelCorrelationCalculator");
  EXPECT_EQ(calculator->GetNumberOfPairs(), 0u);
  EXPECT_EQ(calculator->GetSeed(), 0u);
  EXPECT_EQ(calculator->GetDirection(), Direction::Horizontal);
  calculator->SetImage(MakeImage<std::uint8_t, 2>({ 5, 4 }, RandomValues<std::uint8_t>(20, 1)));
  const std::pair<Direction, itk::SizeValueType> expected[] = { { Direction::Horizontal, 4 * 4 },
                                                                { Direction::Vertical, 5 * 3 },
                                                                { Direction::Diagonal, 4 * 3 } };
  for (const auto & [direction, count] : expected)
  {
    calculator->SetDirection(direction);
    calculator->Compute();
    EXPECT_EQ(calculator->GetNumberOfPairsUsed(), count) << direction;
  }
  calculator->SetNumberOfPairs(1000);
  calculator->Compute();
  EXPECT_EQ(calculator->GetNumberOfPairsUsed(), 1000u);
}

TEST(AdjacentPixelCorrelationCalculator, ThreeDimensionalPairsStayInTheirSlice)
{
  // 2x1x2: slice 0 [1 2], slice 1 [5 3]. Horizontal pairs (1,2) and (5,3): x 1 5, y 2 3 rise
  // together -> r = 1 from 2 pairs. A pair across slices, (2,5), would make 3 pairs and r < 1.
  auto calculator = itk::AdjacentPixelCorrelationCalculator<itk::Image<std::uint8_t, 3>>::New();
  calculator->SetImage(MakeImage<std::uint8_t, 3>({ 2, 1, 2 }, { 1, 2, 5, 3 }));
  calculator->Compute();
  EXPECT_EQ(calculator->GetNumberOfPairsUsed(), 2u);
  EXPECT_NEAR(calculator->GetCorrelation(), 1.0, 1e-15);
  // One row: no vertical pair.
  calculator->SetDirection(Direction::Vertical);
  EXPECT_THROW(calculator->Compute(), itk::ExceptionObject);
}

TEST(AdjacentPixelCorrelationCalculator, RefusesImagesWithoutPairs)
{
  const auto column = MakeImage<std::uint8_t, 2>({ 1, 5 }, { 1, 2, 3, 4, 5 });
  EXPECT_THROW(Correlation(column.GetPointer(), Direction::Horizontal), itk::ExceptionObject);
  EXPECT_THROW(Correlation(column.GetPointer(), Direction::Diagonal), itk::ExceptionObject);
  EXPECT_NEAR(Correlation(column.GetPointer(), Direction::Vertical), 1.0, 1e-15);
}

TEST(AdjacentPixelCorrelationCalculator, SmoothImageIsStronglyCorrelated)
{
  const auto values = SmoothValues<std::uint8_t>(64, 64, 1, 3);
  const auto image = MakeImage<std::uint8_t, 2>({ 64, 64 }, values);
  for (const Direction direction : { Direction::Horizontal, Direction::Vertical, Direction::Diagonal })
  {
    EXPECT_GT(Correlation(image.GetPointer(), direction), 0.9) << direction;
    EXPECT_GT(Correlation(image.GetPointer(), direction, 10000, 5), 0.9) << direction;
  }
}

// ---------------------------------------------------------------------------------------------------
// NPCR and UACI (Eq. 16-17, 19) and the Wu-Noonan-Agaian tests

TEST(DifferentialAttackMetricsCalculator, HandWorkedValues)
{
  // {0, 10, 255, 7} vs {0, 20, 0, 7}: 2 of 4 differ -> NPCR 50 %; |d| = 10 + 255 over 4 * 255 ->
  // UACI = 265 / 1020 * 100 %.
  auto eight = Differential(MakeImage<std::uint8_t, 2>({ 2, 2 }, { 0, 10, 255, 7 }).GetPointer(),
                            MakeImage<std::uint8_t, 2>({ 2, 2 }, { 0, 20, 0, 7 }).GetPointer());
  EXPECT_DOUBLE_EQ(eight->GetNPCR(), 50.0);
  EXPECT_DOUBLE_EQ(eight->GetUACI(), 26500.0 / 1020.0);
  EXPECT_EQ(eight->GetMaximumValue(), 255.0);

  // int8 {-128, 127} vs {127, -128}: both differ by 255 = F -> NPCR 100 %, UACI 100 %.
  auto signedPair = Differential(MakeImage<std::int8_t, 2>({ 2, 1 }, { -128, 127 }).GetPointer(),
                                 MakeImage<std::int8_t, 2>({ 2, 1 }, { 127, -128 }).GetPointer());
  EXPECT_DOUBLE_EQ(signedPair->GetNPCR(), 100.0);
  EXPECT_DOUBLE_EQ(signedPair->GetUACI(), 100.0);

  // uint16 {0, 65535} vs {65535, 65535}: F = 65535 -> NPCR 50 %, UACI 65535 / (2 * 65535) = 50 %.
  auto wide = Differential(MakeImage<std::uint16_t, 2>({ 2, 1 }, { 0, 65535 }).GetPointer(),
                           MakeImage<std::uint16_t, 2>({ 2, 1 }, { 65535, 65535 }).GetPointer());
  EXPECT_DOUBLE_EQ(wide->GetNPCR(), 50.0);
  EXPECT_DOUBLE_EQ(wide->GetUACI(), 50.0);
  EXPECT_EQ(wide->GetMaximumValue(), 65535.0);

  // float {0, 1} vs {0.5, 3}: default F = 3 - 0 = 3; |d| = 0.5 + 2 -> UACI = 2.5 / (2 * 3) * 100 %.
  auto floating = Differential(MakeImage<float, 2>({ 2, 1 }, { 0.0f, 1.0f }).GetPointer(),
                               MakeImage<float, 2>({ 2, 1 }, { 0.5f, 3.0f }).GetPointer());
  EXPECT_DOUBLE_EQ(floating->GetNPCR(), 100.0);
  EXPECT_DOUBLE_EQ(floating->GetUACI(), 250.0 / 6.0);
  // With F set to 10: 2.5 / 20 * 100 % = 12.5 %.
  floating->SetMaximumValue(10.0);
  floating->Compute();
  EXPECT_DOUBLE_EQ(floating->GetUACI(), 12.5);
  floating->UseDefaultMaximumValue();
  floating->Compute();
  EXPECT_DOUBLE_EQ(floating->GetMaximumValue(), 3.0);
}

TEST(DifferentialAttackMetricsCalculator, WuNoonanAgaianCriticalValues)
{
  using Calculator = itk::DifferentialAttackMetricsCalculator<Image8>;
  // Table values of Wu, Noonan and Agaian (2011) for 256x256 8-bit images (4 decimals).
  const double table[3][4] = { { 0.05, 99.5693, 33.2824, 33.6447 },
                               { 0.01, 99.5527, 33.2255, 33.7016 },
                               { 0.001, 99.5341, 33.1594, 33.7677 } };
  for (const auto & row : table)
  {
    EXPECT_NEAR(Calculator::ComputeNPCRCriticalValue(255, 65536, row[0]), row[1], 1e-4) << row[0];
    const auto interval = Calculator::ComputeUACICriticalInterval(255, 65536, row[0]);
    EXPECT_NEAR(interval.first, row[2], 1e-4) << row[0];
    EXPECT_NEAR(interval.second, row[3], 1e-4) << row[0];
  }
  EXPECT_THROW(Calculator::ComputeNPCRCriticalValue(255, 65536, 0.0), itk::ExceptionObject);
  EXPECT_THROW(Calculator::ComputeUACICriticalInterval(255, 65536, 1.0), itk::ExceptionObject);
  EXPECT_THROW(Calculator::ComputeNPCRCriticalValue(0, 65536, 0.05), itk::ExceptionObject);
}

TEST(DifferentialAttackMetricsCalculator, PassAndFail)
{
  using Calculator = itk::DifferentialAttackMetricsCalculator<Image8>;
  // C1(x, y) = x, C2(x, y) = y over 256x256: every pair (a, b) of 8-bit values once. NPCR = 1 - 256 /
  // 65536 = 99.609375 % (>= 99.5693); UACI = E|a - b| / 255 = (F + 2) / (3F + 3) = 257 / 768 (the
  // interval's centre) -> both tests pass at every level.
  std::vector<std::uint8_t> columns(65536), rows(65536);
  for (int y = 0; y < 256; ++y)
  {
    for (int x = 0; x < 256; ++x)
    {
      columns[y * 256 + x] = static_cast<std::uint8_t>(x);
      rows[y * 256 + x] = static_cast<std::uint8_t>(y);
    }
  }
  const auto first = MakeImage<std::uint8_t, 2>({ 256, 256 }, columns);
  auto calculator = Differential(first.GetPointer(), MakeImage<std::uint8_t, 2>({ 256, 256 }, rows).GetPointer());
  EXPECT_DOUBLE_EQ(calculator->GetNPCR(), 100.0 * (1.0 - 256.0 / 65536.0));
  EXPECT_NEAR(calculator->GetUACI(), 100.0 * 257.0 / 768.0, 1e-12);
  EXPECT_EQ(calculator->GetNumberOfPixels(), 65536u);
  for (const double alpha : Calculator::StandardSignificanceLevels)
  {
    EXPECT_TRUE(calculator->GetNPCRPassed(alpha)) << alpha;
    EXPECT_TRUE(calculator->GetUACIPassed(alpha)) << alpha;
  }
  EXPECT_NEAR(calculator->GetNPCRCriticalValue(0.05), 99.5693, 1e-4);

  // Against itself: NPCR 0, UACI 0 -> both fail. Against all-255: UACI far above the interval.
  auto same = Differential(first.GetPointer(), first.GetPointer());
  auto white = Differential(
    first.GetPointer(), MakeImage<std::uint8_t, 2>({ 256, 256 }, std::vector<std::uint8_t>(65536, 255)).GetPointer());
  for (const double alpha : Calculator::StandardSignificanceLevels)
  {
    EXPECT_FALSE(same->GetNPCRPassed(alpha));
    EXPECT_FALSE(same->GetUACIPassed(alpha));
    EXPECT_FALSE(white->GetUACIPassed(alpha));
  }
}

TEST(DifferentialAttackMetricsCalculator, RefusesMismatchedOrMissingImages)
{
  const auto small = MakeImage<std::uint8_t, 2>({ 2, 2 }, { 1, 2, 3, 4 });
  const auto other = MakeImage<std::uint8_t, 2>({ 4, 1 }, { 1, 2, 3, 4 });
  EXPECT_THROW(Differential(small.GetPointer(), other.GetPointer()), itk::ExceptionObject);
  auto calculator = itk::DifferentialAttackMetricsCalculator<Image8>::New();
  calculator->SetFirstImage(small);
  EXPECT_THROW(calculator->Compute(), itk::ExceptionObject);
  EXPECT_THROW(calculator->GetNPCRCriticalValue(0.05), itk::ExceptionObject); // before Compute()
  calculator->SetSecondImage(small);
  calculator->SetMaximumValue(0.0);
  EXPECT_THROW(calculator->Compute(), itk::ExceptionObject);
}

// ---------------------------------------------------------------------------------------------------
// PSNR (Eq. 27)

TEST(PeakSignalToNoiseRatioCalculator, HandWorkedValues)
{
  // 8-bit, one pixel off by 16 of 4: MSE = 256 / 4 = 64, L = 255 -> 10 log10(65025 / 64).
  const auto reference = MakeImage<std::uint8_t, 2>({ 2, 2 }, { 0, 0, 0, 0 });
  const auto test = MakeImage<std::uint8_t, 2>({ 2, 2 }, { 0, 0, 0, 16 });
  EXPECT_NEAR(PSNR(reference.GetPointer(), test.GetPointer()), 10.0 * std::log10(65025.0 / 64.0), 1e-12);

  // uint16: default L = max - min of the reference = 1100 - 100 = 1000; one pixel off by 10 of 4:
  // MSE = 25 -> 10 log10(1e6 / 25) = 10 log10(40000).
  const auto wideReference = MakeImage<std::uint16_t, 2>({ 2, 2 }, { 100, 1100, 100, 100 });
  const auto wideTest = MakeImage<std::uint16_t, 2>({ 2, 2 }, { 100, 1100, 100, 110 });
  EXPECT_NEAR(PSNR(wideReference.GetPointer(), wideTest.GetPointer()), 10.0 * std::log10(40000.0), 1e-12);
  // L set to 65535: 10 log10(65535^2 / 25).
  EXPECT_NEAR(PSNR(wideReference.GetPointer(), wideTest.GetPointer(), 65535.0),
              10.0 * std::log10(65535.0 * 65535.0 / 25.0),
              1e-12);

  // Identical images: MSE = 0 -> +infinity.
  EXPECT_EQ(PSNR(reference.GetPointer(), reference.GetPointer()), std::numeric_limits<double>::infinity());
}

TEST(PeakSignalToNoiseRatioCalculator, RefusesBadInputs)
{
  // A constant 16-bit reference has a default range of 0.
  const auto flat = MakeImage<std::uint16_t, 2>({ 2, 1 }, { 5, 5 });
  const auto test = MakeImage<std::uint16_t, 2>({ 2, 1 }, { 5, 6 });
  EXPECT_THROW(PSNR(flat.GetPointer(), test.GetPointer()), itk::ExceptionObject);
  EXPECT_NO_THROW(PSNR(flat.GetPointer(), test.GetPointer(), 100.0));
  const auto other = MakeImage<std::uint16_t, 2>({ 1, 2 }, { 5, 6 });
  EXPECT_THROW(PSNR(test.GetPointer(), other.GetPointer()), itk::ExceptionObject);
}

// ---------------------------------------------------------------------------------------------------
// SSIM (Eq. 26, Wang et al. 2004)

TEST(StructuralSimilarityCalculator, HandWorkedValues)
{
  // Constant 12x13 images a = 100 and b = 150, L = 255: variances and covariance 0 in every window,
  // so SSIM = (2ab + C1) / (a^2 + b^2 + C1) * C2 / C2 with C1 = (0.01 * 255)^2 = 6.5025.
  const auto a = MakeImage<std::uint8_t, 2>({ 12, 13 }, std::vector<std::uint8_t>(156, 100));
  const auto b = MakeImage<std::uint8_t, 2>({ 12, 13 }, std::vector<std::uint8_t>(156, 150));
  auto calculator = itk::StructuralSimilarityCalculator<Image8>::New();
  calculator->SetReferenceImage(a);
  calculator->SetTestImage(b);
  calculator->Compute();
  EXPECT_NEAR(calculator->GetSSIM(), (30000.0 + 6.5025) / (10000.0 + 22500.0 + 6.5025), 1e-12);
  EXPECT_EQ(calculator->GetNumberOfWindows(), 2u * 3u); // (12 - 10) x (13 - 10) valid positions
  EXPECT_EQ(calculator->GetDataRange(), 255.0);

  // The Gaussian weights sum to 1 and peak in the middle.
  const auto weights = itk::StructuralSimilarityCalculator<Image8>::GetGaussianWeights();
  double sum = 0.0;
  for (const double w : weights)
  {
    sum += w;
  }
  EXPECT_NEAR(sum, 1.0, 1e-15);
  EXPECT_NEAR(weights[5] / weights[4], std::exp(1.0 / (2.0 * 1.5 * 1.5)), 1e-12);

  // Identical random images -> exactly 1 up to rounding.
  const auto random = MakeImage<std::uint8_t, 2>({ 20, 20 }, RandomValues<std::uint8_t>(400, 9));
  EXPECT_NEAR(SSIM(random.GetPointer(), random.GetPointer()), 1.0, 1e-12);
}

TEST(StructuralSimilarityCalculator, RefusesSmallOrMismatchedImages)
{
  const auto small = MakeImage<std::uint8_t, 2>({ 10, 11 }, std::vector<std::uint8_t>(110, 1));
  EXPECT_THROW(SSIM(small.GetPointer(), small.GetPointer()), itk::ExceptionObject);
  const auto a = MakeImage<std::uint8_t, 2>({ 11, 12 }, std::vector<std::uint8_t>(132, 1));
  const auto b = MakeImage<std::uint8_t, 2>({ 12, 11 }, std::vector<std::uint8_t>(132, 1));
  EXPECT_THROW(SSIM(a.GetPointer(), b.GetPointer()), itk::ExceptionObject);
  try
  {
    SSIM(small.GetPointer(), small.GetPointer());
  }
  catch (const itk::ExceptionObject & error)
  {
    EXPECT_NE(std::string(error.GetDescription()).find("at least 11x11"), std::string::npos);
  }
}

TEST(StructuralSimilarityCalculator, ThreeDimensionalIsTheMeanOverSlices)
{
  // Two 16x14 slices: the 3-D SSIM equals the mean of the two 2-D SSIMs (equal window counts).
  const auto a = RandomValues<std::uint8_t>(16 * 14 * 2, 21);
  auto b = SmoothValues<std::uint8_t>(16, 14, 2, 22);
  const auto volume = SSIM(MakeImage<std::uint8_t, 3>({ 16, 14, 2 }, a).GetPointer(),
                           MakeImage<std::uint8_t, 3>({ 16, 14, 2 }, b).GetPointer());
  const std::size_t plane = 16 * 14;
  const auto slice = [&](std::size_t z)
  {
    return SSIM(MakeImage<std::uint8_t, 2>(
                  { 16, 14 }, std::vector<std::uint8_t>(a.begin() + z * plane, a.begin() + (z + 1) * plane))
                  .GetPointer(),
                MakeImage<std::uint8_t, 2>(
                  { 16, 14 }, std::vector<std::uint8_t>(b.begin() + z * plane, b.begin() + (z + 1) * plane))
                  .GetPointer());
  };
  EXPECT_NEAR(volume, (slice(0) + slice(1)) / 2.0, 1e-12);
}

TEST(StructuralSimilarityCalculator, LargeImageIsFast)
{
  // 512x512: the separable filtering keeps this well under a second.
  const auto reference = MakeImage<std::uint8_t, 2>({ 512, 512 }, SmoothValues<std::uint8_t>(512, 512, 1, 30));
  const auto test = MakeImage<std::uint8_t, 2>({ 512, 512 }, SmoothValues<std::uint8_t>(512, 512, 1, 31));
  const double value = SSIM(reference.GetPointer(), test.GetPointer());
  EXPECT_GT(value, 0.5);
  EXPECT_LT(value, 1.0);
}

// ---------------------------------------------------------------------------------------------------
// Every pixel type against the naive implementations

template<typename TPixel>
class MetricsAgainstNaive : public ::testing::Test
{
};

using PixelTypes =
  ::testing::Types<std::uint8_t, std::int8_t, std::uint16_t, std::int16_t, std::uint32_t, std::int32_t, float, double>;
TYPED_TEST_SUITE(MetricsAgainstNaive, PixelTypes);

TYPED_TEST(MetricsAgainstNaive, EntropyMatches)
{
  using Pixel = TypeParam;
  for (const unsigned int bits : { 1u, 4u, 8u })
  {
    const auto random = RandomValues<Pixel>(37 * 23, 100 + bits);
    const auto smooth = SmoothValues<Pixel>(37, 23, 1, 200 + bits);
    for (const auto * values : { &random, &smooth })
    {
      const auto image = MakeImage<Pixel, 2>({ 37, 23 }, *values);
      EXPECT_NEAR(Entropy(image.GetPointer(), bits), NaiveEntropy(*values, bits), 1e-12) << bits;
    }
  }
  const auto volumeValues = RandomValues<Pixel>(9 * 8 * 3, 300);
  EXPECT_NEAR(
    Entropy(MakeImage<Pixel, 3>({ 9, 8, 3 }, volumeValues).GetPointer()), NaiveEntropy(volumeValues, 8), 1e-12);
}

TYPED_TEST(MetricsAgainstNaive, CorrelationMatches)
{
  using Pixel = TypeParam;
  const std::size_t W = 29, H = 17, S = 3;
  const auto random = RandomValues<Pixel>(W * H * S, 400);
  const auto smooth = SmoothValues<Pixel>(W, H, S, 401);
  const std::tuple<Direction, int, int> directions[] = { { Direction::Horizontal, 1, 0 },
                                                         { Direction::Vertical, 0, 1 },
                                                         { Direction::Diagonal, 1, 1 } };
  for (const auto * values : { &random, &smooth })
  {
    const auto image2 = MakeImage<Pixel, 2>({ W, H }, std::vector<Pixel>(values->begin(), values->begin() + W * H));
    const auto image3 = MakeImage<Pixel, 3>({ W, H, S }, *values);
    for (const auto & [direction, dx, dy] : directions)
    {
      for (const std::size_t pairs : { std::size_t{ 0 }, std::size_t{ 500 } })
      {
        const std::uint64_t seed = 77 + pairs;
        EXPECT_NEAR(Correlation(image2.GetPointer(), direction, pairs, seed),
                    NaivePearson(NaivePairs(*values, W, H, 1, dx, dy, pairs, seed)),
                    1e-9)
          << direction << " " << pairs;
        EXPECT_NEAR(Correlation(image3.GetPointer(), direction, pairs, seed),
                    NaivePearson(NaivePairs(*values, W, H, S, dx, dy, pairs, seed)),
                    1e-9)
          << direction << " " << pairs << " 3-D";
      }
    }
  }
}

TYPED_TEST(MetricsAgainstNaive, DifferentialMetricsMatch)
{
  using Pixel = TypeParam;
  const std::size_t count = 31 * 19 * 2;
  const auto a = RandomValues<Pixel>(count, 500);
  auto b = RandomValues<Pixel>(count, 501);
  // Make about a quarter of the pixels equal, so NPCR is not trivially 100 %.
  for (std::size_t i = 0; i < count; i += 4)
  {
    b[i] = a[i];
  }
  double F = 0.0;
  if constexpr (std::is_integral_v<Pixel>)
  {
    F = NaiveFullScale<Pixel>();
  }
  else
  {
    const auto [lowA, highA] = std::minmax_element(a.begin(), a.end());
    const auto [lowB, highB] = std::minmax_element(b.begin(), b.end());
    F = std::max<double>(*highA, *highB) - std::min<double>(*lowA, *lowB);
  }
  std::size_t changed = 0;
  long double sum = 0;
  for (std::size_t i = 0; i < count; ++i)
  {
    changed += a[i] != b[i];
    sum += std::fabs(static_cast<long double>(a[i]) - static_cast<long double>(b[i]));
  }
  const double npcr = 100.0 * changed / count;
  const double uaci = static_cast<double>(100.0L * sum / (count * static_cast<long double>(F)));
  auto two =
    Differential(MakeImage<Pixel, 2>({ 31, 38 }, a).GetPointer(), MakeImage<Pixel, 2>({ 31, 38 }, b).GetPointer());
  auto three = Differential(MakeImage<Pixel, 3>({ 31, 19, 2 }, a).GetPointer(),
                            MakeImage<Pixel, 3>({ 31, 19, 2 }, b).GetPointer());
  const auto check = [&](const auto & calculator, const char * what)
  {
    EXPECT_DOUBLE_EQ(calculator->GetNPCR(), npcr) << what;
    EXPECT_NEAR(calculator->GetUACI(), uaci, 1e-10 * uaci) << what;
    EXPECT_EQ(calculator->GetMaximumValue(), F) << what;
  };
  check(two, "2-D");
  check(three, "3-D");
}

TYPED_TEST(MetricsAgainstNaive, PsnrAndSsimMatch)
{
  using Pixel = TypeParam;
  const std::size_t W = 24, H = 20, S = 2;
  const auto smooth = SmoothValues<Pixel>(W, H, S, 600);
  const auto random = RandomValues<Pixel>(W * H * S, 601);
  // A noisy copy of the smooth image: SSIM well inside (0, 1).
  auto noisy = smooth;
  for (std::size_t i = 0; i < noisy.size(); i += 3)
  {
    noisy[i] = random[i];
  }
  double L = 0.0;
  if constexpr (std::is_integral_v<Pixel> && sizeof(Pixel) == 1)
  {
    L = NaiveFullScale<Pixel>();
  }
  else
  {
    const auto [low, high] = std::minmax_element(smooth.begin(), smooth.end());
    L = static_cast<double>(*high) - static_cast<double>(*low);
  }
  const std::vector<Pixel> * tests[] = { &noisy, &random };
  for (const auto * test : tests)
  {
    long double squares = 0;
    for (std::size_t i = 0; i < smooth.size(); ++i)
    {
      const long double d = static_cast<long double>(smooth[i]) - static_cast<long double>((*test)[i]);
      squares += d * d;
    }
    const double psnr =
      static_cast<double>(10.0L * std::log10(L * static_cast<long double>(L) / (squares / smooth.size())));
    const auto reference3 = MakeImage<Pixel, 3>({ W, H, S }, smooth);
    const auto test3 = MakeImage<Pixel, 3>({ W, H, S }, *test);
    EXPECT_NEAR(PSNR(reference3.GetPointer(), test3.GetPointer()), psnr, 1e-9);
    EXPECT_NEAR(SSIM(reference3.GetPointer(), test3.GetPointer()), NaiveSSIM(smooth, *test, W, H, S, L), 1e-9);

    const std::vector<Pixel> reference2(smooth.begin(), smooth.begin() + W * H);
    const std::vector<Pixel> slice2(test->begin(), test->begin() + W * H);
    const auto [low, high] = std::minmax_element(reference2.begin(), reference2.end());
    const double L2 = std::is_integral_v<Pixel> && sizeof(Pixel) == 1 ? L : static_cast<double>(*high) - *low;
    EXPECT_NEAR(
      SSIM(MakeImage<Pixel, 2>({ W, H }, reference2).GetPointer(), MakeImage<Pixel, 2>({ W, H }, slice2).GetPointer()),
      NaiveSSIM(reference2, slice2, W, H, 1, L2),
      1e-9);
    // A set data range is used as given.
    EXPECT_NEAR(
      SSIM(reference3.GetPointer(), test3.GetPointer(), 3.0 * L), NaiveSSIM(smooth, *test, W, H, S, 3.0 * L), 1e-9);
  }
}

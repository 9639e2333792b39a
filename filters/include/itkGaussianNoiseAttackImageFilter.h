#ifndef itkGaussianNoiseAttackImageFilter_h
#define itkGaussianNoiseAttackImageFilter_h

#include "itkInPlaceImageFilter.h"

#include <cstdint>

namespace itk
{

/** \class GaussianNoiseAttackImageFilter
 * \brief The paper's noise attack (section IV.E): additive Gaussian noise, reproducible from a seed.
 *
 * Each pixel becomes v + sigma * z with z standard normal and sigma = Percent / 100 * R, where the
 * data range R is DataRange when it is set (> 0), otherwise the type's range for integer pixels
 * (max - lowest: 65535 for uint16 ciphertexts, 255 for 8-bit images) and the input image's
 * max - min for floating pixels (over its largest possible region, which the filter then requests).
 * The result is clamped to the type's range; integer types round to the nearest value (halves away
 * from zero). GetStandardDeviation() reports the sigma of the last update.
 *
 * Reading of the paper: its "1% and 10% Gaussian noise" does not say whether the percentage is a
 * standard deviation or a variance (MATLAB's imnoise takes a variance of the [0, 1] image, so
 * imnoise(I, 'gaussian', 0, 0.01) would be sigma = 10% of the range). MedCrypt reads the
 * percentage as the standard deviation in percent of the data range, matching the training-time
 * attack simulation (model/AttackSimulation.h), where sigma is given on the [0, 1] image.
 *
 * Random numbers (exact, so that another implementation can reproduce an attack): the image is cut
 * into lines along x of the largest possible region, numbered n = 0, 1, ... in buffer order. Line n
 * has its own std::mt19937_64 seeded with SplitMix64(Seed + (n + 1) * 0x9E3779B97F4A7C15), where
 * SplitMix64(z) = w ^ (w >> 31) with w from z by z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9,
 * z = (z ^ (z >> 27)) * 0x94D049BB133111EB (all modulo 2^64). Two successive raw outputs a, b give
 * u1 = ((a >> 11) + 0.5) 2^-53, u2 = ((b >> 11) + 0.5) 2^-53 and the Box-Muller pair
 * r cos(2 pi u2), r sin(2 pi u2) with r = sqrt(-2 ln u1); the line's pixels take these values in
 * order (pixel 2k the cosine of pair k, pixel 2k + 1 its sine). The standard library's
 * std::normal_distribution is not used because its output differs between standard libraries. The
 * result does not depend on the number of threads or on the requested region; it may differ in the
 * last bit of a double between math libraries (log, cos, sin), which can move a rounded integer
 * pixel by one in rare cases.
 *
 * (ITK's AdditiveGaussianNoiseImageFilter draws from per-thread generators, so its output depends on
 * how the image is split among threads.) */
template<typename TImage>
class ITK_TEMPLATE_EXPORT GaussianNoiseAttackImageFilter : public InPlaceImageFilter<TImage, TImage>
{
public:
  ITK_DISALLOW_COPY_AND_MOVE(GaussianNoiseAttackImageFilter);

  /** Standard class type aliases. */
  using Self = GaussianNoiseAttackImageFilter;
  using Superclass = InPlaceImageFilter<TImage, TImage>;
  using Pointer = SmartPointer<Self>;
  using ConstPointer = SmartPointer<const Self>;

  /** Method for creation through the object factory. */
  itkNewMacro(Self);

  /** Run-time type information (and related methods). */
  itkTypeMacro(GaussianNoiseAttackImageFilter, InPlaceImageFilter);

  using ImageType = TImage;
  using PixelType = typename ImageType::PixelType;
  using RegionType = typename ImageType::RegionType;

  /** Standard deviation in percent of the data range (default 1; must be finite and >= 0). */
  itkSetMacro(Percent, double);
  itkGetConstMacro(Percent, double);

  /** The data range R; 0 (the default) means the type's range for integer pixels and the image's
   * max - min for floating pixels. */
  itkSetMacro(DataRange, double);
  itkGetConstMacro(DataRange, double);

  /** Seed of the noise (default 0): the same seed gives the same noise. */
  itkSetMacro(Seed, std::uint64_t);
  itkGetConstMacro(Seed, std::uint64_t);

  /** sigma = Percent / 100 * R used by the last update. */
  itkGetConstMacro(StandardDeviation, double);

  /** SplitMix64 finaliser (see the class comment). */
  static std::uint64_t
  SplitMix64(std::uint64_t z);

protected:
  GaussianNoiseAttackImageFilter();
  ~GaussianNoiseAttackImageFilter() override = default;

  /** Floating types without DataRange need the whole input to find its range. */
  void
  GenerateInputRequestedRegion() override;

  /** Checks Percent and DataRange and works out sigma. */
  void
  BeforeThreadedGenerateData() override;

  void
  DynamicThreadedGenerateData(const RegionType & outputRegionForThread) override;

  void
  PrintSelf(std::ostream & os, Indent indent) const override;

private:
  double m_Percent{ 1.0 };
  double m_DataRange{ 0.0 };
  std::uint64_t m_Seed{ 0 };
  double m_StandardDeviation{ 0.0 };
};

} // namespace itk

#ifndef ITK_MANUAL_INSTANTIATION
#include "itkGaussianNoiseAttackImageFilter.hxx"
#endif

#endif

#ifndef itkGaussianNoiseAttackImageFilter_hxx
#define itkGaussianNoiseAttackImageFilter_hxx

#include "itkGaussianNoiseAttackImageFilter.h"

#include "itkImageRegionConstIterator.h"
#include "itkImageScanlineConstIterator.h"
#include "itkImageScanlineIterator.h"
#include "itkNumericTraits.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

namespace itk
{

template<typename TImage>
GaussianNoiseAttackImageFilter<TImage>::GaussianNoiseAttackImageFilter()
{
  this->InPlaceOff();
  this->DynamicMultiThreadingOn();
}

template<typename TImage>
std::uint64_t
GaussianNoiseAttackImageFilter<TImage>::SplitMix64(std::uint64_t z)
{
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

template<typename TImage>
void
GaussianNoiseAttackImageFilter<TImage>::GenerateInputRequestedRegion()
{
  Superclass::GenerateInputRequestedRegion();
  if (!NumericTraits<PixelType>::IsInteger && !(m_DataRange > 0.0))
  {
    auto * input = const_cast<ImageType *>(this->GetInput());
    if (input != nullptr)
    {
      input->SetRequestedRegionToLargestPossibleRegion();
    }
  }
}

template<typename TImage>
void
GaussianNoiseAttackImageFilter<TImage>::BeforeThreadedGenerateData()
{
  if (!std::isfinite(m_Percent) || m_Percent < 0.0)
  {
    itkExceptionMacro(<< "Percent must be finite and >= 0, not " << m_Percent);
  }
  if (!std::isfinite(m_DataRange) || m_DataRange < 0.0)
  {
    itkExceptionMacro(<< "DataRange must be finite and >= 0 (0: automatic), not " << m_DataRange);
  }
  double range = m_DataRange;
  if (!(range > 0.0))
  {
    if constexpr (NumericTraits<PixelType>::IsInteger)
    {
      range = static_cast<double>(NumericTraits<PixelType>::max()) -
              static_cast<double>(NumericTraits<PixelType>::NonpositiveMin());
    }
    else
    {
      const ImageType * input = this->GetInput();
      double low = std::numeric_limits<double>::infinity();
      double high = -std::numeric_limits<double>::infinity();
      for (ImageRegionConstIterator<ImageType> it(input, input->GetLargestPossibleRegion()); !it.IsAtEnd(); ++it)
      {
        const double value = static_cast<double>(it.Get());
        if (std::isfinite(value))
        {
          low = std::min(low, value);
          high = std::max(high, value);
        }
      }
      range = high > low ? high - low : 0.0;
    }
  }
  m_StandardDeviation = m_Percent / 100.0 * range;
}

template<typename TImage>
void
GaussianNoiseAttackImageFilter<TImage>::DynamicThreadedGenerateData(const RegionType & outputRegionForThread)
{
  const ImageType * input = this->GetInput();
  ImageType * output = this->GetOutput();
  const RegionType largest = output->GetLargestPossibleRegion();
  const double lowest = static_cast<double>(NumericTraits<PixelType>::NonpositiveMin());
  const double highest = static_cast<double>(NumericTraits<PixelType>::max());
  constexpr double twoPi = 6.283185307179586476925286766559;
  constexpr double twoToMinus53 = 1.0 / 9007199254740992.0;

  ImageScanlineConstIterator<ImageType> in(input, outputRegionForThread);
  ImageScanlineIterator<ImageType> out(output, outputRegionForThread);
  std::vector<double> noise;
  while (!out.IsAtEnd())
  {
    // The line's number in the largest region (y fastest, then z, ...) and where this piece starts in it.
    const auto first = out.GetIndex();
    std::uint64_t lineNumber = 0;
    std::uint64_t stride = 1;
    for (unsigned int axis = 1; axis < ImageType::ImageDimension; ++axis)
    {
      lineNumber += static_cast<std::uint64_t>(first[axis] - largest.GetIndex(axis)) * stride;
      stride *= static_cast<std::uint64_t>(largest.GetSize(axis));
    }
    const auto skip = static_cast<SizeValueType>(first[0] - largest.GetIndex(0));
    const SizeValueType count = outputRegionForThread.GetSize(0);

    std::mt19937_64 engine(SplitMix64(m_Seed + (lineNumber + 1) * 0x9E3779B97F4A7C15ull));
    const SizeValueType needed = skip + count;
    noise.resize(needed + 1);
    for (SizeValueType k = 0; k < needed; k += 2)
    {
      const double u1 = (static_cast<double>(engine() >> 11) + 0.5) * twoToMinus53;
      const double u2 = (static_cast<double>(engine() >> 11) + 0.5) * twoToMinus53;
      const double r = std::sqrt(-2.0 * std::log(u1));
      noise[k] = r * std::cos(twoPi * u2);
      noise[k + 1] = r * std::sin(twoPi * u2);
    }

    for (SizeValueType k = 0; k < count; ++k, ++in, ++out)
    {
      double value = static_cast<double>(in.Get()) + m_StandardDeviation * noise[skip + k];
      value = std::min(std::max(value, lowest), highest);
      if constexpr (NumericTraits<PixelType>::IsInteger)
      {
        value = std::round(value);
      }
      out.Set(static_cast<PixelType>(value));
    }
    in.NextLine();
    out.NextLine();
  }
}

template<typename TImage>
void
GaussianNoiseAttackImageFilter<TImage>::PrintSelf(std::ostream & os, Indent indent) const
{
  Superclass::PrintSelf(os, indent);
  os << indent << "Percent: " << m_Percent << std::endl;
  os << indent << "DataRange: " << m_DataRange << std::endl;
  os << indent << "Seed: " << m_Seed << std::endl;
  os << indent << "StandardDeviation: " << m_StandardDeviation << std::endl;
}

} // namespace itk

#endif

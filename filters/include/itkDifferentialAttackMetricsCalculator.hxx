#ifndef itkDifferentialAttackMetricsCalculator_hxx
#define itkDifferentialAttackMetricsCalculator_hxx

#include "itkDifferentialAttackMetricsCalculator.h"

#include <boost/math/distributions/normal.hpp>

#include <algorithm>
#include <cmath>

namespace itk
{

namespace MedCryptDetail
{

/** z_q = Phi^{-1}(1 - q), the upper q-quantile of the standard normal distribution. */
inline double
UpperNormalQuantile(double q)
{
  const boost::math::normal_distribution<double> standardNormal(0.0, 1.0);
  return boost::math::quantile(boost::math::complement(standardNormal, q));
}

/** Throws unless F > 0, P > 0 and 0 < alpha < 1. */
inline void
CheckCriticalValueArguments(double maximumValue, double numberOfPixels, double alpha)
{
  if (!(maximumValue > 0.0) || !(numberOfPixels > 0.0))
  {
    itkGenericExceptionMacro(<< "the NPCR/UACI critical values need a positive largest value F (got " << maximumValue
                             << ") and a positive number of pixels (got " << numberOfPixels << ")");
  }
  if (!(alpha > 0.0 && alpha < 1.0))
  {
    itkGenericExceptionMacro(<< "the significance level alpha is " << alpha
                             << "; it must lie strictly between 0 and 1");
  }
}

} // namespace MedCryptDetail

template<typename TImage>
void
DifferentialAttackMetricsCalculator<TImage>::SetMaximumValue(double maximumValue)
{
  if (!m_MaximumValueSetByUser || m_MaximumValue != maximumValue)
  {
    m_MaximumValue = maximumValue;
    m_MaximumValueSetByUser = true;
    this->Modified();
  }
}

template<typename TImage>
void
DifferentialAttackMetricsCalculator<TImage>::UseDefaultMaximumValue()
{
  if (m_MaximumValueSetByUser)
  {
    m_MaximumValueSetByUser = false;
    this->Modified();
  }
}

template<typename TImage>
void
DifferentialAttackMetricsCalculator<TImage>::Compute()
{
  MedCryptRequireSameSize(m_FirstImage.GetPointer(), m_SecondImage.GetPointer(), "the first and second images");
  if (m_MaximumValueSetByUser && !(m_MaximumValue > 0.0))
  {
    itkExceptionMacro(<< "the largest allowed value F is " << m_MaximumValue << "; it must be positive");
  }
  double maximumValue = m_MaximumValue;
  if (!m_MaximumValueSetByUser)
  {
    if constexpr (MedCryptPixelTraits<PixelType>::IsInteger)
    {
      maximumValue = MedCryptPixelTraits<PixelType>::FullScale();
    }
    else
    {
      const auto first = MedCryptMinimumMaximum(m_FirstImage.GetPointer());
      const auto second = MedCryptMinimumMaximum(m_SecondImage.GetPointer());
      maximumValue = std::max(first.second, second.second) - std::min(first.first, second.first);
    }
  }

  const SizeValueType count = m_FirstImage->GetBufferedRegion().GetNumberOfPixels();
  const PixelType * first = m_FirstImage->GetBufferPointer();
  const PixelType * second = m_SecondImage->GetBufferPointer();
  SizeValueType changed = 0;
  double absoluteDifferences = 0.0;
  for (SizeValueType i = 0; i < count; ++i)
  {
    if (first[i] != second[i])
    {
      ++changed;
      absoluteDifferences += std::abs(static_cast<double>(first[i]) - static_cast<double>(second[i]));
    }
  }
  m_MaximumValue = maximumValue;
  m_NumberOfPixels = count;
  m_NPCR = 100.0 * static_cast<double>(changed) / static_cast<double>(count);
  // A zero F only arises by default for two identical constant floating images: every difference is 0.
  m_UACI = maximumValue > 0.0 ? 100.0 * absoluteDifferences / (static_cast<double>(count) * maximumValue) : 0.0;
}

template<typename TImage>
void
DifferentialAttackMetricsCalculator<TImage>::RequireComputed() const
{
  if (m_NumberOfPixels == 0)
  {
    itkExceptionMacro(<< "the critical values need the image size and F: call Compute() first");
  }
}

template<typename TImage>
double
DifferentialAttackMetricsCalculator<TImage>::ComputeNPCRCriticalValue(double maximumValue,
                                                                      double numberOfPixels,
                                                                      double alpha)
{
  MedCryptDetail::CheckCriticalValueArguments(maximumValue, numberOfPixels, alpha);
  const double z = MedCryptDetail::UpperNormalQuantile(alpha);
  return 100.0 * (maximumValue - z * std::sqrt(maximumValue / numberOfPixels)) / (maximumValue + 1.0);
}

template<typename TImage>
auto
DifferentialAttackMetricsCalculator<TImage>::ComputeUACICriticalInterval(double maximumValue,
                                                                         double numberOfPixels,
                                                                         double alpha) -> IntervalType
{
  MedCryptDetail::CheckCriticalValueArguments(maximumValue, numberOfPixels, alpha);
  const double F = maximumValue;
  const double z = MedCryptDetail::UpperNormalQuantile(alpha / 2.0);
  const double mean = (F + 2.0) / (3.0 * F + 3.0);
  const double variance = (F + 2.0) * (F * F + 2.0 * F + 3.0) / (18.0 * (F + 1.0) * (F + 1.0) * numberOfPixels * F);
  const double halfWidth = z * std::sqrt(variance);
  return { 100.0 * (mean - halfWidth), 100.0 * (mean + halfWidth) };
}

template<typename TImage>
double
DifferentialAttackMetricsCalculator<TImage>::GetNPCRCriticalValue(double alpha) const
{
  RequireComputed();
  return ComputeNPCRCriticalValue(m_MaximumValue, static_cast<double>(m_NumberOfPixels), alpha);
}

template<typename TImage>
auto
DifferentialAttackMetricsCalculator<TImage>::GetUACICriticalInterval(double alpha) const -> IntervalType
{
  RequireComputed();
  return ComputeUACICriticalInterval(m_MaximumValue, static_cast<double>(m_NumberOfPixels), alpha);
}

template<typename TImage>
bool
DifferentialAttackMetricsCalculator<TImage>::GetNPCRPassed(double alpha) const
{
  return m_NPCR >= GetNPCRCriticalValue(alpha);
}

template<typename TImage>
bool
DifferentialAttackMetricsCalculator<TImage>::GetUACIPassed(double alpha) const
{
  const IntervalType interval = GetUACICriticalInterval(alpha);
  return m_UACI >= interval.first && m_UACI <= interval.second;
}

template<typename TImage>
void
DifferentialAttackMetricsCalculator<TImage>::PrintSelf(std::ostream & os, Indent indent) const
{
  Superclass::PrintSelf(os, indent);
  os << indent << "FirstImage: " << m_FirstImage.GetPointer() << std::endl;
  os << indent << "SecondImage: " << m_SecondImage.GetPointer() << std::endl;
  os << indent << "MaximumValue: " << m_MaximumValue << (m_MaximumValueSetByUser ? " (set)" : " (default)")
     << std::endl;
  os << indent << "NPCR: " << m_NPCR << std::endl;
  os << indent << "UACI: " << m_UACI << std::endl;
  os << indent << "NumberOfPixels: " << m_NumberOfPixels << std::endl;
}

} // namespace itk

#endif

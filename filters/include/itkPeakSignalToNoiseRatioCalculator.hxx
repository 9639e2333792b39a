#ifndef itkPeakSignalToNoiseRatioCalculator_hxx
#define itkPeakSignalToNoiseRatioCalculator_hxx

#include "itkPeakSignalToNoiseRatioCalculator.h"

#include <cmath>
#include <limits>

namespace itk
{

template<typename TImage>
void
PeakSignalToNoiseRatioCalculator<TImage>::Compute()
{
  const double dataRange = this->ResolveDataRange("PSNR");
  const SizeValueType count = this->m_ReferenceImage->GetBufferedRegion().GetNumberOfPixels();
  const PixelType * reference = this->m_ReferenceImage->GetBufferPointer();
  const PixelType * test = this->m_TestImage->GetBufferPointer();
  double sumOfSquares = 0.0;
  for (SizeValueType i = 0; i < count; ++i)
  {
    const double difference = static_cast<double>(reference[i]) - static_cast<double>(test[i]);
    sumOfSquares += difference * difference;
  }
  m_MeanSquaredError = sumOfSquares / static_cast<double>(count);
  m_PSNR = m_MeanSquaredError > 0.0 ? 10.0 * std::log10(dataRange * dataRange / m_MeanSquaredError)
                                    : std::numeric_limits<double>::infinity();
}

template<typename TImage>
void
PeakSignalToNoiseRatioCalculator<TImage>::PrintSelf(std::ostream & os, Indent indent) const
{
  Superclass::PrintSelf(os, indent);
  os << indent << "MeanSquaredError: " << m_MeanSquaredError << std::endl;
  os << indent << "PSNR: " << m_PSNR << std::endl;
}

} // namespace itk

#endif

#ifndef itkPeakSignalToNoiseRatioCalculator_hxx
#define itkPeakSignalToNoiseRatioCalculator_hxx

#include "itkPeakSignalToNoiseRatioCalculator.h"

#include <cmath>
#include <limits>

namespace itk
{

template<typename TImage>
void
PeakSignalToNoiseRatioCalculator<TImage>::SetDataRange(double dataRange)
{
  if (!m_DataRangeSetByUser || m_DataRange != dataRange)
  {
    m_DataRange = dataRange;
    m_DataRangeSetByUser = true;
    this->Modified();
  }
}

template<typename TImage>
void
PeakSignalToNoiseRatioCalculator<TImage>::UseDefaultDataRange()
{
  if (m_DataRangeSetByUser)
  {
    m_DataRangeSetByUser = false;
    this->Modified();
  }
}

template<typename TImage>
void
PeakSignalToNoiseRatioCalculator<TImage>::Compute()
{
  MedCryptRequireSameSize(m_ReferenceImage.GetPointer(), m_TestImage.GetPointer(), "the reference and test images");
  const double dataRange = m_DataRangeSetByUser ? m_DataRange : MedCryptDefaultDataRange(m_ReferenceImage.GetPointer());
  if (!(dataRange > 0.0))
  {
    itkExceptionMacro(<< "the data range L is " << dataRange
                      << (m_DataRangeSetByUser ? "" : " (the reference image is constant)")
                      << "; PSNR needs L > 0: call SetDataRange()");
  }
  const SizeValueType count = m_ReferenceImage->GetBufferedRegion().GetNumberOfPixels();
  const PixelType * reference = m_ReferenceImage->GetBufferPointer();
  const PixelType * test = m_TestImage->GetBufferPointer();
  double sumOfSquares = 0.0;
  for (SizeValueType i = 0; i < count; ++i)
  {
    const double difference = static_cast<double>(reference[i]) - static_cast<double>(test[i]);
    sumOfSquares += difference * difference;
  }
  m_DataRange = dataRange;
  m_MeanSquaredError = sumOfSquares / static_cast<double>(count);
  m_PSNR = m_MeanSquaredError > 0.0 ? 10.0 * std::log10(dataRange * dataRange / m_MeanSquaredError)
                                    : std::numeric_limits<double>::infinity();
}

template<typename TImage>
void
PeakSignalToNoiseRatioCalculator<TImage>::PrintSelf(std::ostream & os, Indent indent) const
{
  Superclass::PrintSelf(os, indent);
  os << indent << "ReferenceImage: " << m_ReferenceImage.GetPointer() << std::endl;
  os << indent << "TestImage: " << m_TestImage.GetPointer() << std::endl;
  os << indent << "DataRange: " << m_DataRange << (m_DataRangeSetByUser ? " (set)" : " (default)") << std::endl;
  os << indent << "MeanSquaredError: " << m_MeanSquaredError << std::endl;
  os << indent << "PSNR: " << m_PSNR << std::endl;
}

} // namespace itk

#endif

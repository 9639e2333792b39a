#ifndef itkReferenceComparisonCalculator_hxx
#define itkReferenceComparisonCalculator_hxx

#include "itkReferenceComparisonCalculator.h"

namespace itk
{

template<typename TImage>
void
ReferenceComparisonCalculator<TImage>::SetDataRange(double dataRange)
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
ReferenceComparisonCalculator<TImage>::UseDefaultDataRange()
{
  if (m_DataRangeSetByUser)
  {
    m_DataRangeSetByUser = false;
    this->Modified();
  }
}

template<typename TImage>
double
ReferenceComparisonCalculator<TImage>::ResolveDataRange(const char * metric)
{
  MedCryptRequireSameSize(m_ReferenceImage.GetPointer(), m_TestImage.GetPointer(), "the reference and test images");
  const double dataRange = m_DataRangeSetByUser ? m_DataRange : MedCryptDefaultDataRange(m_ReferenceImage.GetPointer());
  if (!(dataRange > 0.0))
  {
    itkExceptionMacro(<< "the data range L is " << dataRange
                      << (m_DataRangeSetByUser ? "" : " (the reference image is constant)") << "; " << metric
                      << " needs L > 0: call SetDataRange()");
  }
  m_DataRange = dataRange;
  return dataRange;
}

template<typename TImage>
void
ReferenceComparisonCalculator<TImage>::PrintSelf(std::ostream & os, Indent indent) const
{
  Superclass::PrintSelf(os, indent);
  os << indent << "ReferenceImage: " << m_ReferenceImage.GetPointer() << std::endl;
  os << indent << "TestImage: " << m_TestImage.GetPointer() << std::endl;
  os << indent << "DataRange: " << m_DataRange << (m_DataRangeSetByUser ? " (set)" : " (default)") << std::endl;
}

} // namespace itk

#endif

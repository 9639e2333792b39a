#ifndef itkImageEntropyCalculator_hxx
#define itkImageEntropyCalculator_hxx

#include "itkImageEntropyCalculator.h"

#include <cmath>

namespace itk
{

template<typename TImage>
void
ImageEntropyCalculator<TImage>::Compute()
{
  if (m_Image == nullptr)
  {
    itkExceptionMacro(<< "no image: call SetImage() before Compute()");
  }
  const auto bounds = MedCryptMinimumMaximum(m_Image.GetPointer());
  const MedCryptIntensityView<PixelType> view(m_NumberOfBits, bounds.first, bounds.second);

  const SizeValueType count = m_Image->GetBufferedRegion().GetNumberOfPixels();
  const PixelType * pixels = m_Image->GetBufferPointer();
  m_Histogram.assign(view.GetNumberOfBins(), 0);
  for (SizeValueType i = 0; i < count; ++i)
  {
    ++m_Histogram[view(pixels[i])];
  }

  double entropy = 0.0;
  for (const SizeValueType binCount : m_Histogram)
  {
    if (binCount > 0)
    {
      const double p = static_cast<double>(binCount) / static_cast<double>(count);
      entropy -= p * std::log2(p);
    }
  }
  m_Entropy = entropy;
}

template<typename TImage>
void
ImageEntropyCalculator<TImage>::PrintSelf(std::ostream & os, Indent indent) const
{
  Superclass::PrintSelf(os, indent);
  os << indent << "Image: " << m_Image.GetPointer() << std::endl;
  os << indent << "NumberOfBits: " << m_NumberOfBits << std::endl;
  os << indent << "Entropy: " << m_Entropy << std::endl;
  os << indent << "Histogram bins: " << m_Histogram.size() << std::endl;
}

} // namespace itk

#endif

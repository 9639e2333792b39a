#ifndef itkCropAttackImageFilter_hxx
#define itkCropAttackImageFilter_hxx

#include "itkCropAttackImageFilter.h"

#include "itkImageAlgorithm.h"
#include "itkImageRegionConstIterator.h"
#include "itkImageRegionIterator.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>

namespace itk
{

template<typename TImage>
CropAttackImageFilter<TImage>::CropAttackImageFilter()
{
  this->InPlaceOff();
  this->DynamicMultiThreadingOn();
}

template<typename TImage>
void
CropAttackImageFilter<TImage>::GenerateInputRequestedRegion()
{
  Superclass::GenerateInputRequestedRegion();
  if constexpr (!NumericTraits<PixelType>::IsInteger)
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
CropAttackImageFilter<TImage>::BeforeThreadedGenerateData()
{
  const ImageType * input = this->GetInput();
  if constexpr (NumericTraits<PixelType>::IsInteger)
  {
    m_FillValue =
      m_FillMode == FillModeEnum::Black ? NumericTraits<PixelType>::NonpositiveMin() : NumericTraits<PixelType>::max();
  }
  else
  {
    // Minimum or maximum of the input, NaN ignored (comparisons with NaN are false); 0 when none.
    bool found = false;
    PixelType extreme{};
    for (ImageRegionConstIterator<ImageType> it(input, input->GetLargestPossibleRegion()); !it.IsAtEnd(); ++it)
    {
      const PixelType value = it.Get();
      if (std::isnan(value))
      {
        continue;
      }
      if (!found || (m_FillMode == FillModeEnum::Black ? value < extreme : value > extreme))
      {
        extreme = value;
        found = true;
      }
    }
    m_FillValue = found ? extreme : PixelType{};
  }

  // The rectangle along x and y, every index along the other axes, clipped to the image.
  const RegionType largest = this->GetOutput()->GetLargestPossibleRegion();
  typename RegionType::IndexType start = largest.GetIndex();
  typename RegionType::SizeType size = largest.GetSize();
  for (unsigned int axis = 0; axis < 2; ++axis)
  {
    const IndexValueType imageStart = largest.GetIndex(axis);
    const IndexValueType imageEnd = imageStart + static_cast<IndexValueType>(largest.GetSize(axis));
    const IndexValueType length = static_cast<IndexValueType>(m_RectangleSize[axis]);
    const IndexValueType first = m_CentreRectangle
                                   ? imageStart + (static_cast<IndexValueType>(largest.GetSize(axis)) - length) / 2
                                   : m_RectangleIndex[axis];
    const IndexValueType clippedFirst = std::max(first, imageStart);
    const IndexValueType clippedEnd = std::min(first + length, imageEnd);
    start[axis] = clippedFirst;
    size[axis] = clippedEnd > clippedFirst ? static_cast<SizeValueType>(clippedEnd - clippedFirst) : 0;
  }
  m_AttackRegion = RegionType(start, size);
}

template<typename TImage>
void
CropAttackImageFilter<TImage>::DynamicThreadedGenerateData(const RegionType & outputRegionForThread)
{
  ImageType * output = this->GetOutput();
  if (!this->GetRunningInPlace())
  {
    ImageAlgorithm::Copy(this->GetInput(), output, outputRegionForThread, outputRegionForThread);
  }
  RegionType fill = m_AttackRegion;
  if (fill.GetNumberOfPixels() == 0 || !fill.Crop(outputRegionForThread))
  {
    return;
  }
  for (ImageRegionIterator<ImageType> it(output, fill); !it.IsAtEnd(); ++it)
  {
    it.Set(m_FillValue);
  }
}

template<typename TImage>
void
CropAttackImageFilter<TImage>::PrintSelf(std::ostream & os, Indent indent) const
{
  Superclass::PrintSelf(os, indent);
  os << indent << "RectangleSize: " << m_RectangleSize << std::endl;
  os << indent << "RectangleIndex: " << m_RectangleIndex << std::endl;
  os << indent << "CentreRectangle: " << (m_CentreRectangle ? "On" : "Off") << std::endl;
  os << indent << "FillMode: " << m_FillMode << std::endl;
  os << indent << "FillValue: " << static_cast<typename NumericTraits<PixelType>::PrintType>(m_FillValue) << std::endl;
  os << indent << "AttackRegion: " << m_AttackRegion << std::endl;
}

} // namespace itk

#endif

#ifndef itkAdjacentPixelCorrelationCalculator_hxx
#define itkAdjacentPixelCorrelationCalculator_hxx

#include "itkAdjacentPixelCorrelationCalculator.h"

#include <cmath>
#include <random>
#include <vector>

namespace itk
{

template<typename TImage>
void
AdjacentPixelCorrelationCalculator<TImage>::Compute()
{
  if (m_Image == nullptr)
  {
    itkExceptionMacro(<< "no image: call SetImage() before Compute()");
  }
  const auto size = m_Image->GetBufferedRegion().GetSize();
  const SizeValueType width = size[0];
  const SizeValueType height = size[1];
  SizeValueType slices = 1;
  for (unsigned int axis = 2; axis < ImageDimension; ++axis)
  {
    slices *= size[axis];
  }
  const SizeValueType dx = m_Direction == DirectionEnum::Vertical ? 0 : 1;
  const SizeValueType dy = m_Direction == DirectionEnum::Horizontal ? 0 : 1;
  if (width <= dx || height <= dy || slices == 0)
  {
    itkExceptionMacro(<< "the image is " << size << " pixels: " << m_Direction << " adjacent pairs need at least "
                      << dx + 1 << " column(s) and " << dy + 1 << " row(s)");
  }
  const SizeValueType validWidth = width - dx;
  const SizeValueType validHeight = height - dy;
  const SizeValueType validPositions = validWidth * validHeight * slices;
  const SizeValueType neighbourOffset = dx + dy * width;

  // The pixel offset (in the buffer) of each drawn position; empty when every pair is used.
  std::vector<SizeValueType> drawn;
  if (m_NumberOfPairs > 0)
  {
    std::mt19937_64 generator(m_Seed);
    drawn.resize(m_NumberOfPairs);
    for (auto & offset : drawn)
    {
      const SizeValueType position = static_cast<SizeValueType>(generator() % validPositions);
      const SizeValueType x = position % validWidth;
      const SizeValueType rest = position / validWidth;
      const SizeValueType y = rest % validHeight;
      const SizeValueType slice = rest / validHeight;
      offset = x + width * (y + height * slice);
    }
  }

  const PixelType * pixels = m_Image->GetBufferPointer();
  // Calls visit(x, y) for the pixel values of every pair, in position order or drawing order.
  const auto forEachPair = [&](auto && visit)
  {
    if (m_NumberOfPairs > 0)
    {
      for (const SizeValueType offset : drawn)
      {
        visit(static_cast<double>(pixels[offset]), static_cast<double>(pixels[offset + neighbourOffset]));
      }
      return;
    }
    for (SizeValueType slice = 0; slice < slices; ++slice)
    {
      for (SizeValueType y = 0; y < validHeight; ++y)
      {
        const PixelType * row = pixels + width * (y + height * slice);
        for (SizeValueType x = 0; x < validWidth; ++x)
        {
          visit(static_cast<double>(row[x]), static_cast<double>(row[x + neighbourOffset]));
        }
      }
    }
  };

  const SizeValueType pairs = m_NumberOfPairs > 0 ? m_NumberOfPairs : validPositions;
  double sumX = 0.0;
  double sumY = 0.0;
  forEachPair(
    [&](double x, double y)
    {
      sumX += x;
      sumY += y;
    });
  const double meanX = sumX / static_cast<double>(pairs);
  const double meanY = sumY / static_cast<double>(pairs);
  double varianceX = 0.0;
  double varianceY = 0.0;
  double covariance = 0.0;
  forEachPair(
    [&](double x, double y)
    {
      const double cx = x - meanX;
      const double cy = y - meanY;
      varianceX += cx * cx;
      varianceY += cy * cy;
      covariance += cx * cy;
    });
  // The 1/N factors of Eq. 11-13 cancel in r.
  m_Correlation = (varianceX > 0.0 && varianceY > 0.0) ? covariance / std::sqrt(varianceX * varianceY) : 0.0;
  m_NumberOfPairsUsed = pairs;
}

template<typename TImage>
void
AdjacentPixelCorrelationCalculator<TImage>::PrintSelf(std::ostream & os, Indent indent) const
{
  Superclass::PrintSelf(os, indent);
  os << indent << "Image: " << m_Image.GetPointer() << std::endl;
  os << indent << "Direction: " << m_Direction << std::endl;
  os << indent << "NumberOfPairs: " << m_NumberOfPairs << std::endl;
  os << indent << "Seed: " << m_Seed << std::endl;
  os << indent << "Correlation: " << m_Correlation << std::endl;
  os << indent << "NumberOfPairsUsed: " << m_NumberOfPairsUsed << std::endl;
}

} // namespace itk

#endif

#ifndef itkStructuralSimilarityCalculator_hxx
#define itkStructuralSimilarityCalculator_hxx

#include "itkStructuralSimilarityCalculator.h"

#include <cmath>
#include <vector>

namespace itk
{

template<typename TImage>
auto
StructuralSimilarityCalculator<TImage>::GetGaussianWeights() -> std::array<double, WindowSize>
{
  std::array<double, WindowSize> weights{};
  const double centre = (WindowSize - 1) / 2.0;
  double sum = 0.0;
  for (unsigned int k = 0; k < WindowSize; ++k)
  {
    const double offset = k - centre;
    weights[k] = std::exp(-offset * offset / (2.0 * GaussianSigma * GaussianSigma));
    sum += weights[k];
  }
  for (auto & weight : weights)
  {
    weight /= sum;
  }
  return weights;
}

template<typename TImage>
void
StructuralSimilarityCalculator<TImage>::Compute()
{
  const double dataRange = this->ResolveDataRange("SSIM");
  const auto size = this->m_ReferenceImage->GetBufferedRegion().GetSize();
  const SizeValueType width = size[0];
  const SizeValueType height = size[1];
  if (width < WindowSize || height < WindowSize)
  {
    itkExceptionMacro(<< "the images are " << size << " pixels: SSIM needs slices of at least " << WindowSize << "x"
                      << WindowSize << " pixels (its Gaussian window)");
  }
  SizeValueType slices = 1;
  for (unsigned int axis = 2; axis < ImageDimension; ++axis)
  {
    slices *= size[axis];
  }
  const double C1 = (K1 * dataRange) * (K1 * dataRange);
  const double C2 = (K2 * dataRange) * (K2 * dataRange);

  const auto weights = GetGaussianWeights();
  const SizeValueType validWidth = width - WindowSize + 1;
  const SizeValueType validHeight = height - WindowSize + 1;
  // The five filtered moments x, y, x^2, y^2, xy: after the x pass (height x validWidth each), then
  // after the y pass (validHeight x validWidth each).
  constexpr unsigned int moments = 5;
  std::vector<double> alongX(moments * height * validWidth);
  std::vector<double> filtered(moments * validHeight * validWidth);
  std::vector<double> row(moments * width);

  const PixelType * reference = this->m_ReferenceImage->GetBufferPointer();
  const PixelType * test = this->m_TestImage->GetBufferPointer();
  double sum = 0.0;
  for (SizeValueType slice = 0; slice < slices; ++slice)
  {
    const PixelType * x = reference + slice * width * height;
    const PixelType * y = test + slice * width * height;
    for (SizeValueType j = 0; j < height; ++j)
    {
      for (SizeValueType i = 0; i < width; ++i)
      {
        const double xv = static_cast<double>(x[j * width + i]);
        const double yv = static_cast<double>(y[j * width + i]);
        row[0 * width + i] = xv;
        row[1 * width + i] = yv;
        row[2 * width + i] = xv * xv;
        row[3 * width + i] = yv * yv;
        row[4 * width + i] = xv * yv;
      }
      for (unsigned int m = 0; m < moments; ++m)
      {
        const double * in = row.data() + m * width;
        double * out = alongX.data() + (m * height + j) * validWidth;
        for (SizeValueType i = 0; i < validWidth; ++i)
        {
          double value = 0.0;
          for (unsigned int k = 0; k < WindowSize; ++k)
          {
            value += weights[k] * in[i + k];
          }
          out[i] = value;
        }
      }
    }
    for (unsigned int m = 0; m < moments; ++m)
    {
      for (SizeValueType j = 0; j < validHeight; ++j)
      {
        double * out = filtered.data() + (m * validHeight + j) * validWidth;
        for (SizeValueType i = 0; i < validWidth; ++i)
        {
          out[i] = 0.0;
        }
        for (unsigned int k = 0; k < WindowSize; ++k)
        {
          const double * in = alongX.data() + (m * height + j + k) * validWidth;
          for (SizeValueType i = 0; i < validWidth; ++i)
          {
            out[i] += weights[k] * in[i];
          }
        }
      }
    }
    const SizeValueType plane = validHeight * validWidth;
    for (SizeValueType p = 0; p < plane; ++p)
    {
      const double muX = filtered[p];
      const double muY = filtered[plane + p];
      const double varianceX = filtered[2 * plane + p] - muX * muX;
      const double varianceY = filtered[3 * plane + p] - muY * muY;
      const double covariance = filtered[4 * plane + p] - muX * muY;
      sum += ((2.0 * muX * muY + C1) * (2.0 * covariance + C2)) /
             ((muX * muX + muY * muY + C1) * (varianceX + varianceY + C2));
    }
  }
  m_NumberOfWindows = validWidth * validHeight * slices;
  m_SSIM = sum / static_cast<double>(m_NumberOfWindows);
}

template<typename TImage>
void
StructuralSimilarityCalculator<TImage>::PrintSelf(std::ostream & os, Indent indent) const
{
  Superclass::PrintSelf(os, indent);
  os << indent << "SSIM: " << m_SSIM << std::endl;
  os << indent << "NumberOfWindows: " << m_NumberOfWindows << std::endl;
}

} // namespace itk

#endif

#ifndef medcrypt_EvaluationImagePreparation_h
#define medcrypt_EvaluationImagePreparation_h

// The image that `medcrypt evaluate` encrypts: 2-D (a volume's middle slice), resampled to N x N so
// that, as in the paper, one image is one tile of the model.

#include "medcryptTileSamples.h"

#include "itkExtractImageFilter.h"
#include "itkImage.h"
#include "itkLinearInterpolateImageFunction.h"

#include <algorithm>
#include <string>

namespace medcrypt::evaluate
{

/** A 2-D image ready for the experiments and what was done to get it. */
template<typename TPixel>
struct PreparedImage
{
  typename itk::Image<TPixel, 2>::Pointer image;
  std::string source; // e.g. "2-D", "middle slice 12 of 25 along the last axis; resampled from 512 x 512"
};

/** The middle slice (index depth / 2) along the last axis of a 3-D volume, as a 2-D image. */
template<typename TPixel>
typename itk::Image<TPixel, 2>::Pointer
MiddleSlice(const itk::Image<TPixel, 3> * volume)
{
  using ExtractType = itk::ExtractImageFilter<itk::Image<TPixel, 3>, itk::Image<TPixel, 2>>;
  auto region = volume->GetLargestPossibleRegion();
  const auto depth = region.GetSize(2);
  region.SetIndex(2, region.GetIndex(2) + static_cast<itk::IndexValueType>(depth / 2));
  region.SetSize(2, 0);
  auto extract = ExtractType::New();
  extract->SetInput(volume);
  extract->SetExtractionRegion(region);
  extract->SetDirectionCollapseToSubmatrix();
  extract->Update();
  typename itk::Image<TPixel, 2>::Pointer slice = extract->GetOutput();
  slice->DisconnectPipeline();
  return slice;
}

/** `image` resampled to edge x edge pixels covering the same field of view: output pixel j along an
 * axis samples the input at continuous index (j + 0.5) n / edge - 0.5 (n the input's pixels along the
 * axis), clamped to [0, n - 1], with ITK's linear interpolator; values are rounded and clamped to the
 * pixel type (medcrypt::ClampToPixel). The spacing grows by n / edge, the direction is kept and the
 * origin moves so that the field of view stays where it was. */
template<typename TPixel>
typename itk::Image<TPixel, 2>::Pointer
ResampleToSquare(const itk::Image<TPixel, 2> * image, unsigned int edge)
{
  using ImageType = itk::Image<TPixel, 2>;
  using InterpolatorType = itk::LinearInterpolateImageFunction<ImageType, double>;
  const auto input = image->GetLargestPossibleRegion();
  auto interpolator = InterpolatorType::New();
  interpolator->SetInputImage(image);

  typename ImageType::SpacingType spacing;
  itk::Vector<double, 2> shift;
  for (unsigned int axis = 0; axis < 2; ++axis)
  {
    const double ratio = static_cast<double>(input.GetSize(axis)) / edge;
    spacing[axis] = image->GetSpacing()[axis] * ratio;
    shift[axis] = (spacing[axis] - image->GetSpacing()[axis]) / 2.0;
  }
  auto output = ImageType::New();
  output->SetRegions(typename ImageType::SizeType{ { edge, edge } });
  output->SetSpacing(spacing);
  output->SetDirection(image->GetDirection());
  output->SetOrigin(image->GetOrigin() + image->GetDirection() * shift);
  output->Allocate();

  for (unsigned int y = 0; y < edge; ++y)
  {
    for (unsigned int x = 0; x < edge; ++x)
    {
      typename InterpolatorType::ContinuousIndexType at;
      const unsigned int position[2] = { x, y };
      for (unsigned int axis = 0; axis < 2; ++axis)
      {
        const double n = static_cast<double>(input.GetSize(axis));
        const double index = (position[axis] + 0.5) * n / edge - 0.5;
        at[axis] = input.GetIndex(axis) + std::clamp(index, 0.0, n - 1.0);
      }
      output->SetPixel({ { x, y } }, ClampToPixel<TPixel>(interpolator->EvaluateAtContinuousIndex(at)));
    }
  }
  return output;
}

/** The 2-D image of `image` at edge x edge (edge 0: the native size); 3-D volumes give their middle
 * slice. An image that already has the size is used as it is. */
template<typename TPixel, unsigned int VDimension>
PreparedImage<TPixel>
PrepareEvaluationImage(const itk::Image<TPixel, VDimension> * image, unsigned int edge)
{
  static_assert(VDimension == 2 || VDimension == 3, "2-D images and 3-D volumes");
  PreparedImage<TPixel> prepared;
  if constexpr (VDimension == 3)
  {
    const auto depth = image->GetLargestPossibleRegion().GetSize(2);
    prepared.image = MiddleSlice(image);
    prepared.source =
      "middle slice " + std::to_string(depth / 2) + " of " + std::to_string(depth) + " along the last axis";
  }
  else
  {
    prepared.image = const_cast<itk::Image<TPixel, 2> *>(image);
    prepared.source = "2-D";
  }
  const auto size = prepared.image->GetLargestPossibleRegion().GetSize();
  if (edge != 0 && (size[0] != edge || size[1] != edge))
  {
    prepared.image = ResampleToSquare(prepared.image.GetPointer(), edge);
    prepared.source += "; resampled from " + std::to_string(size[0]) + " x " + std::to_string(size[1]);
  }
  return prepared;
}

} // namespace medcrypt::evaluate

#endif

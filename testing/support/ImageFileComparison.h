#ifndef medcrypt_ImageFileComparison_h
#define medcrypt_ImageFileComparison_h

// Comparing two image files sample for sample, for the tests of the commands and modules that write them.

#include "itkImage.h"
#include "itkImageFileReader.h"

#include <cstring>
#include <string>

namespace medcrypt::testing
{

/** True when both files hold the same size, spacing, origin, direction and samples, read as
 * itk::Image<TPixel, D>. */
template<typename TPixel, unsigned int D>
bool
SameImageFiles(const std::string & a, const std::string & b)
{
  using ImageType = itk::Image<TPixel, D>;
  const auto x = itk::ReadImage<ImageType>(a);
  const auto y = itk::ReadImage<ImageType>(b);
  return x->GetLargestPossibleRegion() == y->GetLargestPossibleRegion() && x->GetSpacing() == y->GetSpacing() &&
         x->GetOrigin() == y->GetOrigin() && x->GetDirection() == y->GetDirection() &&
         std::memcmp(x->GetBufferPointer(),
                     y->GetBufferPointer(),
                     sizeof(TPixel) * x->GetBufferedRegion().GetNumberOfPixels()) == 0;
}

} // namespace medcrypt::testing

#endif

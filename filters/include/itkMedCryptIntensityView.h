#ifndef itkMedCryptIntensityView_h
#define itkMedCryptIntensityView_h

// What the MedCrypt metric calculators share about pixel values: the facts of a scalar pixel type
// (its bit count, its full scale), the "N-bit view" that turns any pixel into one of 2^N histogram
// bins, and the default data range of PSNR and SSIM.

#include "itkImage.h"
#include "itkMacro.h"

#include <climits>
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <utility>

namespace itk
{

/** The facts about a scalar pixel type that the MedCrypt metrics use. */
template<typename TPixel>
struct MedCryptPixelTraits
{
  static_assert(std::is_arithmetic_v<TPixel> && !std::is_same_v<TPixel, bool>,
                "the MedCrypt metrics take scalar integer or floating-point pixels");

  /** True for the integer types (uint8 ... int32), false for float and double. */
  static constexpr bool IsInteger = std::is_integral_v<TPixel>;

  /** B, the number of bits of the type's storage. */
  static constexpr unsigned int NumberOfBits = sizeof(TPixel) * CHAR_BIT;

  /** For an integer type: 2^B - 1, the largest value of the type once shifted to unsigned (255 for
   * uint8 and int8, 65535 for 16-bit types). Not meaningful for floating types. */
  static constexpr double
  FullScale()
  {
    return NumberOfBits >= 64 ? static_cast<double>(std::numeric_limits<std::uint64_t>::max())
                              : static_cast<double>((std::uint64_t{ 1 } << (NumberOfBits % 64)) - 1);
  }

  /** For an integer type: the value shifted to unsigned, v + 2^(B-1) for signed types (the sign bit
   * flipped), v itself for unsigned types, so the type's lowest value maps to 0. */
  static constexpr std::uint64_t
  ToUnsigned(TPixel value)
  {
    static_assert(IsInteger, "ToUnsigned is defined for integer pixel types only");
    using Unsigned = std::make_unsigned_t<TPixel>;
    const auto bits = static_cast<std::uint64_t>(static_cast<Unsigned>(value));
    if constexpr (std::is_signed_v<TPixel>)
    {
      return bits ^ (std::uint64_t{ 1 } << (NumberOfBits - 1));
    }
    return bits;
  }
};

/** The "N-bit view" of pixel values, shared by all MedCrypt metric calculators: maps a pixel to a bin
 * in [0, 2^N).
 *
 * - Integer pixel types of B bits: the value is shifted to unsigned (2^(B-1) added for signed types,
 *   see MedCryptPixelTraits::ToUnsigned) and then shifted right by B - N bits. N must not exceed B.
 *   For uint16 and N = 8 this is value >> 8, the 8-bit view of the ciphertext (design section 4).
 * - Floating pixel types: bin = floor((v - min) / (max - min) * 2^N), clamped to [0, 2^N - 1], with
 *   min and max the image's own minimum and maximum; a constant image (max == min) puts every pixel
 *   in bin 0, and so does a NaN pixel.
 *
 * N must be in [1, MaximumNumberOfBits]. */
template<typename TPixel>
class MedCryptIntensityView
{
public:
  using Traits = MedCryptPixelTraits<TPixel>;

  /** The largest N accepted: 2^24 bins (128 MiB of counts) is the most a histogram here may hold. */
  static constexpr unsigned int MaximumNumberOfBits = 24;

  /** The N-bit view of an image whose values lie in [minimum, maximum] (the bounds are used only
   * for floating pixel types). Throws itk::ExceptionObject when N is 0, above MaximumNumberOfBits or,
   * for integer types, above the pixel type's bit count. */
  MedCryptIntensityView(unsigned int numberOfBits, double minimum, double maximum)
    : m_NumberOfBits(numberOfBits)
    , m_Minimum(minimum)
    , m_Maximum(maximum)
  {
    if (numberOfBits < 1 || numberOfBits > MaximumNumberOfBits)
    {
      itkGenericExceptionMacro(<< "the number of bits of the intensity view is " << numberOfBits << "; it must be 1 to "
                               << MaximumNumberOfBits);
    }
    if constexpr (Traits::IsInteger)
    {
      if (numberOfBits > Traits::NumberOfBits)
      {
        itkGenericExceptionMacro(<< "the number of bits of the intensity view is " << numberOfBits
                                 << " but the pixel type has only " << Traits::NumberOfBits << " bits; choose "
                                 << Traits::NumberOfBits << " or fewer");
      }
    }
  }

  /** 2^N. */
  SizeValueType
  GetNumberOfBins() const
  {
    return SizeValueType{ 1 } << m_NumberOfBits;
  }

  /** The bin of `value`, in [0, 2^N). */
  SizeValueType
  operator()(TPixel value) const
  {
    if constexpr (Traits::IsInteger)
    {
      return static_cast<SizeValueType>(Traits::ToUnsigned(value) >> (Traits::NumberOfBits - m_NumberOfBits));
    }
    else
    {
      const double span = m_Maximum - m_Minimum;
      if (!(span > 0.0))
      {
        return 0;
      }
      const double scaled = std::floor((static_cast<double>(value) - m_Minimum) / span * GetNumberOfBins());
      if (!(scaled > 0.0))
      {
        return 0;
      }
      const double last = static_cast<double>(GetNumberOfBins() - 1);
      return static_cast<SizeValueType>(scaled < last ? scaled : last);
    }
  }

private:
  unsigned int m_NumberOfBits;
  double m_Minimum;
  double m_Maximum;
};

/** The smallest and largest pixel value of the buffered region of `image`, as doubles (NaN pixels
 * are skipped). Throws itk::ExceptionObject for an empty image. */
template<typename TImage>
std::pair<double, double>
MedCryptMinimumMaximum(const TImage * image)
{
  const SizeValueType count = image->GetBufferedRegion().GetNumberOfPixels();
  if (count == 0)
  {
    itkGenericExceptionMacro(<< "the image is empty (no pixels in its buffered region)");
  }
  const auto * pixels = image->GetBufferPointer();
  double minimum = std::numeric_limits<double>::infinity();
  double maximum = -std::numeric_limits<double>::infinity();
  for (SizeValueType i = 0; i < count; ++i)
  {
    const auto value = static_cast<double>(pixels[i]);
    if (value < minimum)
    {
      minimum = value;
    }
    if (value > maximum)
    {
      maximum = value;
    }
  }
  if (minimum > maximum)
  {
    return { 0.0, 0.0 };
  }
  return { minimum, maximum };
}

/** The default data range L of PSNR and SSIM: 255 for 8-bit pixel types (uint8, int8), otherwise the
 * maximum minus the minimum of the reference image. */
template<typename TImage>
double
MedCryptDefaultDataRange(const TImage * reference)
{
  using PixelType = typename TImage::PixelType;
  if constexpr (MedCryptPixelTraits<PixelType>::IsInteger && MedCryptPixelTraits<PixelType>::NumberOfBits == 8)
  {
    return 255.0;
  }
  else
  {
    const auto bounds = MedCryptMinimumMaximum(reference);
    return bounds.second - bounds.first;
  }
}

/** Throws itk::ExceptionObject unless the buffered regions of `first` and `second` have the same
 * size; `what` names the pair in the message (e.g. "the reference and test images"). */
template<typename TImage>
void
MedCryptRequireSameSize(const TImage * first, const TImage * second, const char * what)
{
  if (first == nullptr || second == nullptr)
  {
    itkGenericExceptionMacro(<< what << ": both images must be set before Compute()");
  }
  const auto firstSize = first->GetBufferedRegion().GetSize();
  const auto secondSize = second->GetBufferedRegion().GetSize();
  if (firstSize != secondSize)
  {
    itkGenericExceptionMacro(<< what << " differ in size (" << firstSize << " and " << secondSize
                             << "); the metric compares images pixel by pixel");
  }
  if (firstSize[0] == 0 || first->GetBufferedRegion().GetNumberOfPixels() == 0)
  {
    itkGenericExceptionMacro(<< what << " are empty");
  }
}

} // namespace itk

#endif

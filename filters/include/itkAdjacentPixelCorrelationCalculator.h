#ifndef itkAdjacentPixelCorrelationCalculator_h
#define itkAdjacentPixelCorrelationCalculator_h

#include "itkMedCryptIntensityView.h"
#include "itkObject.h"
#include "itkObjectFactory.h"

#include <cstdint>
#include <ostream>

namespace itk
{

/** The neighbour that forms a pair with pixel (x, y). */
enum class AdjacentPixelDirectionEnum : std::uint8_t
{
  Horizontal, //!< (x, y) with (x + 1, y)
  Vertical,   //!< (x, y) with (x, y + 1)
  Diagonal    //!< (x, y) with (x + 1, y + 1)
};

/** Prints "Horizontal", "Vertical" or "Diagonal". */
inline std::ostream &
operator<<(std::ostream & out, AdjacentPixelDirectionEnum direction)
{
  switch (direction)
  {
    case AdjacentPixelDirectionEnum::Horizontal:
      return out << "Horizontal";
    case AdjacentPixelDirectionEnum::Vertical:
      return out << "Vertical";
    case AdjacentPixelDirectionEnum::Diagonal:
      return out << "Diagonal";
  }
  return out << "Unknown";
}

/** \class AdjacentPixelCorrelationCalculator
 * \brief Pearson correlation of adjacent pixel pairs (paper Eq. 10-13) in one direction.
 *
 * Pairs: pixel (x, y) with its neighbour (x + dx, y + dy), (dx, dy) = (1, 0) horizontal, (0, 1)
 * vertical, (1, 1) diagonal, inside one 2-D slice. A "valid position" is a pixel whose neighbour lies
 * in the image: x < W - dx, y < H - dy. Valid positions are numbered in row-major order, x fastest,
 * then y, then the slice (the axes after the second, for a 3-D image the last axis), from 0 to
 * V - 1, V = (W - dx) (H - dy) S. Positions are relative to the start of the buffered region.
 *
 * - NumberOfPairs = 0 (the default): every valid position is used once (V pairs).
 * - NumberOfPairs = n > 0 (the paper's evaluation uses 10,000): pair i (i = 0 .. n - 1) is position
 *   g_i mod V, where g_0, g_1, ... are the raw successive outputs of std::mt19937_64 constructed with
 *   Seed (default 0); the pairs are drawn independently, with replacement. The standard fixes
 *   mt19937_64's output sequence, so the sample is the same on every standard library.
 *
 * r = cov(x, y) / sqrt(D(x) D(y)) with population moments (1/N), computed in double on the raw pixel
 * values (no intensity view), the means first and the centred sums second. When either sequence is
 * constant (D = 0) r is defined as 0.
 *
 * 3-D images: the pairs of all slices along the last axis are pooled into one r (pairs never cross
 * slices). Compute() throws itk::ExceptionObject when no image is set or there is no valid position
 * (fewer than 2 columns for horizontal/diagonal, fewer than 2 rows for vertical/diagonal). */
template<typename TImage>
class ITK_TEMPLATE_EXPORT AdjacentPixelCorrelationCalculator : public Object
{
public:
  ITK_DISALLOW_COPY_AND_MOVE(AdjacentPixelCorrelationCalculator);

  /** Standard class type aliases. */
  using Self = AdjacentPixelCorrelationCalculator;
  using Superclass = Object;
  using Pointer = SmartPointer<Self>;
  using ConstPointer = SmartPointer<const Self>;

  /** Method for creation through the object factory. */
  itkNewMacro(Self);

  /** Run-time type information (and related methods). */
  itkTypeMacro(AdjacentPixelCorrelationCalculator, Object);

  using ImageType = TImage;
  using ImageConstPointer = typename ImageType::ConstPointer;
  using PixelType = typename ImageType::PixelType;
  using DirectionEnum = AdjacentPixelDirectionEnum;
  static constexpr unsigned int ImageDimension = ImageType::ImageDimension;
  static_assert(ImageDimension >= 2, "adjacent-pixel correlation needs at least two image axes");

  /** The image (its buffered region). */
  itkSetConstObjectMacro(Image, ImageType);
  itkGetConstObjectMacro(Image, ImageType);

  /** The direction of the pairs (default Horizontal). */
  itkSetEnumMacro(Direction, DirectionEnum);
  itkGetEnumMacro(Direction, DirectionEnum);

  /** n, the number of randomly drawn pairs; 0 (the default) uses every adjacent pair. */
  itkSetMacro(NumberOfPairs, SizeValueType);
  itkGetConstMacro(NumberOfPairs, SizeValueType);

  /** The seed of the std::mt19937_64 that draws the pairs (default 0). */
  itkSetMacro(Seed, std::uint64_t);
  itkGetConstMacro(Seed, std::uint64_t);

  /** Computes r. */
  void
  Compute();

  /** r in [-1, 1], 0 for a constant sequence; valid after Compute(). */
  itkGetConstMacro(Correlation, double);

  /** The number of pairs r was computed from: V for NumberOfPairs = 0, otherwise NumberOfPairs. */
  itkGetConstMacro(NumberOfPairsUsed, SizeValueType);

protected:
  AdjacentPixelCorrelationCalculator() = default;
  ~AdjacentPixelCorrelationCalculator() override = default;

  void
  PrintSelf(std::ostream & os, Indent indent) const override;

private:
  ImageConstPointer m_Image;
  DirectionEnum m_Direction{ DirectionEnum::Horizontal };
  SizeValueType m_NumberOfPairs{ 0 };
  std::uint64_t m_Seed{ 0 };
  double m_Correlation{ 0.0 };
  SizeValueType m_NumberOfPairsUsed{ 0 };
};

} // namespace itk

#ifndef ITK_MANUAL_INSTANTIATION
#include "itkAdjacentPixelCorrelationCalculator.hxx"
#endif

#endif

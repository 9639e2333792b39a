#ifndef itkCropAttackImageFilter_h
#define itkCropAttackImageFilter_h

#include "itkInPlaceImageFilter.h"
#include "itkNumericTraits.h"

#include <cstdint>
#include <ostream>

namespace itk
{

/** What a crop attack writes into its rectangle. */
enum class CropAttackFillModeEnum : std::uint8_t
{
  /** The darkest value: the type's lowest value for integer pixels, the image minimum for floating. */
  Black,
  /** The brightest value: the type's highest value for integer pixels, the image maximum for floating. */
  White
};

/** Prints "Black" or "White". */
inline std::ostream &
operator<<(std::ostream & os, CropAttackFillModeEnum mode)
{
  return os << (mode == CropAttackFillModeEnum::Black ? "Black" : "White");
}

/** \class CropAttackImageFilter
 * \brief The paper's cropping attack (section IV.E): a rectangle of the image set to black or white.
 *
 * The rectangle is 2-D, RectangleSize pixels along x and y (default 50 x 50, the paper uses
 * 30 x 30, 50 x 50 and 100 x 100), with its first pixel at RectangleIndex (an index of the image,
 * like ITK region indices), or centred in the image (the default, CentreRectangle on:
 * index = start + (image size - rectangle size) / 2, rounded down). In 3-D (and higher) the same
 * rectangle is cut from every slice. The part of the rectangle outside the image is ignored.
 *
 * Fill values: for integer pixel types black is the type's lowest value and white its highest (0 and
 * 65535 for MedCrypt's uint16 ciphertexts, 0 and 255 on 8-bit images, as in the paper). Floating
 * types have no natural full scale, so black is the minimum and white the maximum of the input image
 * (over its largest possible region, which the filter then requests; NaN pixels are ignored).
 * GetFillValue() reports the value used by the last update.
 *
 * Every pixel outside the rectangle is copied unchanged. The filter can run in place (InPlaceOn()),
 * writing only the rectangle into the input's buffer. */
template<typename TImage>
class ITK_TEMPLATE_EXPORT CropAttackImageFilter : public InPlaceImageFilter<TImage, TImage>
{
public:
  ITK_DISALLOW_COPY_AND_MOVE(CropAttackImageFilter);

  /** Standard class type aliases. */
  using Self = CropAttackImageFilter;
  using Superclass = InPlaceImageFilter<TImage, TImage>;
  using Pointer = SmartPointer<Self>;
  using ConstPointer = SmartPointer<const Self>;

  /** Method for creation through the object factory. */
  itkNewMacro(Self);

  /** Run-time type information (and related methods). */
  itkTypeMacro(CropAttackImageFilter, InPlaceImageFilter);

  using ImageType = TImage;
  using PixelType = typename ImageType::PixelType;
  using RegionType = typename ImageType::RegionType;
  static constexpr unsigned int ImageDimension = ImageType::ImageDimension;
  static_assert(ImageDimension >= 2, "the crop attack cuts a 2-D rectangle");
  using RectangleSizeType = Size<2>;
  using RectangleIndexType = Index<2>;
  using FillModeEnum = CropAttackFillModeEnum;

  /** Pixels of the rectangle along x and y (default 50 x 50). */
  itkSetMacro(RectangleSize, RectangleSizeType);
  itkGetConstMacro(RectangleSize, RectangleSizeType);

  /** Index (x, y) of the rectangle's first pixel; setting it turns CentreRectangle off. */
  void
  SetRectangleIndex(const RectangleIndexType & index)
  {
    if (m_RectangleIndex != index || m_CentreRectangle)
    {
      m_RectangleIndex = index;
      m_CentreRectangle = false;
      this->Modified();
    }
  }
  itkGetConstMacro(RectangleIndex, RectangleIndexType);

  /** Centre the rectangle in the image instead of using RectangleIndex (default on). */
  itkSetMacro(CentreRectangle, bool);
  itkGetConstMacro(CentreRectangle, bool);
  itkBooleanMacro(CentreRectangle);

  /** Black (default) or White. */
  itkSetEnumMacro(FillMode, FillModeEnum);
  itkGetConstMacro(FillMode, FillModeEnum);

  /** The value written into the rectangle by the last update. */
  itkGetConstMacro(FillValue, PixelType);

  /** The region that the last update filled (the rectangle in every slice, clipped to the image). */
  itkGetConstReferenceMacro(AttackRegion, RegionType);

protected:
  CropAttackImageFilter();
  ~CropAttackImageFilter() override = default;

  /** Floating types need the whole input to find its minimum or maximum. */
  void
  GenerateInputRequestedRegion() override;

  /** Works out the fill value and the attack region. */
  void
  BeforeThreadedGenerateData() override;

  void
  DynamicThreadedGenerateData(const RegionType & outputRegionForThread) override;

  void
  PrintSelf(std::ostream & os, Indent indent) const override;

private:
  RectangleSizeType m_RectangleSize{ { 50, 50 } };
  RectangleIndexType m_RectangleIndex{ { 0, 0 } };
  bool m_CentreRectangle{ true };
  FillModeEnum m_FillMode{ FillModeEnum::Black };
  PixelType m_FillValue{ NumericTraits<PixelType>::ZeroValue() };
  RegionType m_AttackRegion;
};

} // namespace itk

#ifndef ITK_MANUAL_INSTANTIATION
#include "itkCropAttackImageFilter.hxx"
#endif

#endif

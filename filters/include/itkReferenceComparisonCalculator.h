#ifndef itkReferenceComparisonCalculator_h
#define itkReferenceComparisonCalculator_h

#include "itkMedCryptIntensityView.h"
#include "itkObject.h"

namespace itk
{

/** \class ReferenceComparisonCalculator
 * \brief What the full-reference quality metrics (PSNR, SSIM) share: a reference image, a test image of
 * the same size, and the data range L.
 *
 * L defaults to 255 for 8-bit pixel types and to the maximum minus the minimum of the reference image
 * otherwise (MedCryptDefaultDataRange); SetDataRange overrides it. Subclasses call
 * ResolveDataRange() at the start of their Compute(). */
template<typename TImage>
class ITK_TEMPLATE_EXPORT ReferenceComparisonCalculator : public Object
{
public:
  ITK_DISALLOW_COPY_AND_MOVE(ReferenceComparisonCalculator);

  /** Standard class type aliases. */
  using Self = ReferenceComparisonCalculator;
  using Superclass = Object;
  using Pointer = SmartPointer<Self>;
  using ConstPointer = SmartPointer<const Self>;

  /** Run-time type information (and related methods). */
  itkTypeMacro(ReferenceComparisonCalculator, Object);

  using ImageType = TImage;
  using ImageConstPointer = typename ImageType::ConstPointer;
  using PixelType = typename ImageType::PixelType;

  /** The reference (e.g. the original image). */
  itkSetConstObjectMacro(ReferenceImage, ImageType);
  itkGetConstObjectMacro(ReferenceImage, ImageType);

  /** The image compared with the reference (e.g. the decrypted image). */
  itkSetConstObjectMacro(TestImage, ImageType);
  itkGetConstObjectMacro(TestImage, ImageType);

  /** Sets L, replacing the default rule. */
  void
  SetDataRange(double dataRange);

  /** Goes back to the default L (255 for 8-bit types, else max - min of the reference). */
  void
  UseDefaultDataRange();

  /** L as set, or after Compute() the L that was used. */
  itkGetConstMacro(DataRange, double);

protected:
  ReferenceComparisonCalculator() = default;
  ~ReferenceComparisonCalculator() override = default;

  /** Checks that both images are set and have one size, then returns L (and records it for
   * GetDataRange()). Throws itk::ExceptionObject naming `metric` when L is not positive. */
  double
  ResolveDataRange(const char * metric);

  void
  PrintSelf(std::ostream & os, Indent indent) const override;

  ImageConstPointer m_ReferenceImage;
  ImageConstPointer m_TestImage;

private:
  double m_DataRange{ 0.0 };
  bool m_DataRangeSetByUser{ false };
};

} // namespace itk

#ifndef ITK_MANUAL_INSTANTIATION
#include "itkReferenceComparisonCalculator.hxx"
#endif

#endif

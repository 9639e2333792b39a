#ifndef itkPeakSignalToNoiseRatioCalculator_h
#define itkPeakSignalToNoiseRatioCalculator_h

#include "itkObjectFactory.h"
#include "itkReferenceComparisonCalculator.h"

namespace itk
{

/** \class PeakSignalToNoiseRatioCalculator
 * \brief PSNR of a test image against a reference image (paper Eq. 27), in dB.
 *
 * PSNR = 10 log10(L^2 / MSE), MSE = (1/P) sum_i (R(i) - T(i))^2 over the P pixels of the buffered
 * regions (any dimension, same size), differences in double on the raw values. L, the data range,
 * defaults to 255 for 8-bit pixel types and to the maximum minus the minimum of the reference image
 * otherwise (MedCryptDefaultDataRange); SetDataRange overrides it.
 *
 * Identical images (MSE = 0) give PSNR = +infinity (std::numeric_limits<double>::infinity()).
 * Compute() throws itk::ExceptionObject when an image is missing, the sizes differ or the images are
 * empty, or when L is not positive (a constant non-8-bit reference with the default range: set L). */
template<typename TImage>
class ITK_TEMPLATE_EXPORT PeakSignalToNoiseRatioCalculator : public ReferenceComparisonCalculator<TImage>
{
public:
  ITK_DISALLOW_COPY_AND_MOVE(PeakSignalToNoiseRatioCalculator);

  /** Standard class type aliases. */
  using Self = PeakSignalToNoiseRatioCalculator;
  using Superclass = ReferenceComparisonCalculator<TImage>;
  using Pointer = SmartPointer<Self>;
  using ConstPointer = SmartPointer<const Self>;

  /** Method for creation through the object factory. */
  itkNewMacro(Self);

  /** Run-time type information (and related methods). */
  itkTypeMacro(PeakSignalToNoiseRatioCalculator, ReferenceComparisonCalculator);

  using typename Superclass::ImageType;
  using typename Superclass::PixelType;

  /** Computes MSE and PSNR. */
  void
  Compute();

  /** PSNR in dB, +infinity for identical images; valid after Compute(). */
  itkGetConstMacro(PSNR, double);

  /** The mean squared error of the last Compute(). */
  itkGetConstMacro(MeanSquaredError, double);

protected:
  PeakSignalToNoiseRatioCalculator() = default;
  ~PeakSignalToNoiseRatioCalculator() override = default;

  void
  PrintSelf(std::ostream & os, Indent indent) const override;

private:
  double m_PSNR{ 0.0 };
  double m_MeanSquaredError{ 0.0 };
};

} // namespace itk

#ifndef ITK_MANUAL_INSTANTIATION
#include "itkPeakSignalToNoiseRatioCalculator.hxx"
#endif

#endif

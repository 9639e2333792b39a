#ifndef itkDifferentialAttackMetricsCalculator_h
#define itkDifferentialAttackMetricsCalculator_h

#include "itkMedCryptIntensityView.h"
#include "itkObject.h"
#include "itkObjectFactory.h"

#include <array>
#include <utility>

namespace itk
{

/** \class DifferentialAttackMetricsCalculator
 * \brief NPCR and UACI of two cipher images (paper Eq. 16-17 and 19) with the randomness tests of
 * Wu, Noonan and Agaian.
 *
 * Over the P pixels of the buffered regions (any dimension; the two images must have the same size):
 * - NPCR = 100 / P * #{i : C1(i) != C2(i)} (percent, Eq. 16-17);
 * - UACI = 100 / P * sum_i |C1(i) - C2(i)| / F (percent, Eq. 19), differences in double on the raw
 *   values, where F is the largest allowed value: 2^B - 1 for B-bit integer types (255 for 8-bit,
 *   65535 for 16-bit), and for floating types the maximum minus the minimum over both images.
 *   SetMaximumValue(F) overrides the default for any type (e.g. 4095 for 12-bit data in uint16).
 *   When the default F of a floating image pair is 0 (both images the same constant), UACI is 0.
 *
 * Critical values (Y. Wu, J. P. Noonan, S. Agaian, "NPCR and UACI randomness tests for image
 * encryption", Cyber Journals JSAT, 2011), for significance level alpha, P pixels, F as above and
 * z_q = Phi^{-1}(1 - q) the upper q-quantile of the standard normal distribution (Boost.Math; Wu et
 * al. write Phi^{-1}(alpha) for this upper quantile):
 * - NPCR*_alpha = (F - z_alpha sqrt(F / P)) / (F + 1); the test passes when NPCR >= NPCR*_alpha;
 * - UACI interval [mu - z_{alpha/2} sigma, mu + z_{alpha/2} sigma] with mu = (F + 2) / (3 F + 3) and
 *   sigma^2 = (F + 2)(F^2 + 2 F + 3) / (18 (F + 1)^2 P F); the test passes inside the interval.
 * For 256x256 8-bit images and alpha = 0.05: NPCR* = 99.5693 %, UACI in [33.2824 %, 33.6447 %]. The
 * tests assume F + 1 equally likely levels; for floating images they are only meaningful when the
 * data hold F + 1 equally spaced levels. All values are reported in percent.
 *
 * Compute() throws itk::ExceptionObject when an image is missing, the sizes differ or the images are
 * empty, or when a user-set maximum value is not positive. */
template<typename TImage>
class ITK_TEMPLATE_EXPORT DifferentialAttackMetricsCalculator : public Object
{
public:
  ITK_DISALLOW_COPY_AND_MOVE(DifferentialAttackMetricsCalculator);

  /** Standard class type aliases. */
  using Self = DifferentialAttackMetricsCalculator;
  using Superclass = Object;
  using Pointer = SmartPointer<Self>;
  using ConstPointer = SmartPointer<const Self>;

  /** Method for creation through the object factory. */
  itkNewMacro(Self);

  /** Run-time type information (and related methods). */
  itkTypeMacro(DifferentialAttackMetricsCalculator, Object);

  using ImageType = TImage;
  using ImageConstPointer = typename ImageType::ConstPointer;
  using PixelType = typename ImageType::PixelType;
  /** A closed interval [lower, upper], in percent. */
  using IntervalType = std::pair<double, double>;

  /** The significance levels the project reports: 0.05, 0.01 and 0.001. */
  static constexpr std::array<double, 3> StandardSignificanceLevels{ 0.05, 0.01, 0.001 };

  /** C1, the first cipher image. */
  itkSetConstObjectMacro(FirstImage, ImageType);
  itkGetConstObjectMacro(FirstImage, ImageType);

  /** C2, the second cipher image (same size as C1). */
  itkSetConstObjectMacro(SecondImage, ImageType);
  itkGetConstObjectMacro(SecondImage, ImageType);

  /** Sets F, the largest allowed value, replacing the default of the pixel type (see the class
   * comment). */
  void
  SetMaximumValue(double maximumValue);

  /** Goes back to the default F of the pixel type. */
  void
  UseDefaultMaximumValue();

  /** F as set by SetMaximumValue, or after Compute() the F that was used. */
  itkGetConstMacro(MaximumValue, double);

  /** Computes NPCR and UACI and remembers F and P for the critical values. */
  void
  Compute();

  /** NPCR in percent; valid after Compute(). */
  itkGetConstMacro(NPCR, double);

  /** UACI in percent; valid after Compute(). */
  itkGetConstMacro(UACI, double);

  /** P, the number of pixels compared in the last Compute(). */
  itkGetConstMacro(NumberOfPixels, SizeValueType);

  /** NPCR*_alpha in percent for the last Compute()'s F and P; alpha in (0, 1). */
  double
  GetNPCRCriticalValue(double alpha) const;

  /** The UACI acceptance interval in percent for the last Compute()'s F and P; alpha in (0, 1). */
  IntervalType
  GetUACICriticalInterval(double alpha) const;

  /** Whether NPCR >= NPCR*_alpha. */
  bool
  GetNPCRPassed(double alpha) const;

  /** Whether UACI lies inside the UACI interval at alpha. */
  bool
  GetUACIPassed(double alpha) const;

  /** NPCR*_alpha in percent for largest value F and P pixels (Wu, Noonan, Agaian). Throws
   * itk::ExceptionObject unless F > 0, P > 0 and 0 < alpha < 1. */
  static double
  ComputeNPCRCriticalValue(double maximumValue, double numberOfPixels, double alpha);

  /** The UACI acceptance interval in percent for largest value F and P pixels (Wu, Noonan, Agaian).
   * Throws itk::ExceptionObject unless F > 0, P > 0 and 0 < alpha < 1. */
  static IntervalType
  ComputeUACICriticalInterval(double maximumValue, double numberOfPixels, double alpha);

protected:
  DifferentialAttackMetricsCalculator() = default;
  ~DifferentialAttackMetricsCalculator() override = default;

  void
  PrintSelf(std::ostream & os, Indent indent) const override;

private:
  /** Throws unless Compute() has run. */
  void
  RequireComputed() const;

  ImageConstPointer m_FirstImage;
  ImageConstPointer m_SecondImage;
  double m_MaximumValue{ 0.0 };
  bool m_MaximumValueSetByUser{ false };
  double m_NPCR{ 0.0 };
  double m_UACI{ 0.0 };
  SizeValueType m_NumberOfPixels{ 0 };
};

} // namespace itk

#ifndef ITK_MANUAL_INSTANTIATION
#include "itkDifferentialAttackMetricsCalculator.hxx"
#endif

#endif

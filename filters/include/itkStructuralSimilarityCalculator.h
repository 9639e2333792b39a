#ifndef itkStructuralSimilarityCalculator_h
#define itkStructuralSimilarityCalculator_h

#include "itkObjectFactory.h"
#include "itkReferenceComparisonCalculator.h"

#include <array>

namespace itk
{

/** \class StructuralSimilarityCalculator
 * \brief Mean SSIM of a test image against a reference image (paper Eq. 26 in the form of Wang,
 * Bovik, Sheikh and Simoncelli, IEEE TIP 2004).
 *
 * At each window position, with Gaussian weights w (11x11, sigma 1.5, normalised to sum 1) over the
 * window, the weighted (population) moments mu_x = sum w x, sigma_x^2 = sum w x^2 - mu_x^2, and
 * sigma_xy = sum w x y - mu_x mu_y give
 *   SSIM = (2 mu_x mu_y + C1)(2 sigma_xy + C2) / ((mu_x^2 + mu_y^2 + C1)(sigma_x^2 + sigma_y^2 + C2))
 * with C1 = (K1 L)^2, C2 = (K2 L)^2, K1 = 0.01, K2 = 0.03 (alpha = beta = gamma = 1, C3 = C2 / 2).
 * The result is the mean over the "valid" window positions only (the window wholly inside the
 * image: (W - 10) x (H - 10) positions per slice), as Wang's MATLAB ssim_index (filter2 'valid') and
 * scikit-image's structural_similarity (which crops the border); no automatic downsampling. The
 * Gaussian window is separable, so the moments are filtered along x then y.
 *
 * L, the data range, defaults to 255 for 8-bit pixel types and to the maximum minus the minimum of
 * the reference image otherwise (MedCryptDefaultDataRange); SetDataRange overrides it. X and Y are
 * used in double on the raw values.
 *
 * 3-D images: every 2-D slice along the last axis (every plane of the first two axes, for more axes)
 * is handled as above and the result is the mean over all slices' valid windows, which equals the
 * mean of the per-slice means since all slices have the same size.
 *
 * Compute() throws itk::ExceptionObject when an image is missing, the sizes differ, a slice is
 * smaller than 11x11, or L is not positive. */
template<typename TImage>
class ITK_TEMPLATE_EXPORT StructuralSimilarityCalculator : public ReferenceComparisonCalculator<TImage>
{
public:
  ITK_DISALLOW_COPY_AND_MOVE(StructuralSimilarityCalculator);

  /** Standard class type aliases. */
  using Self = StructuralSimilarityCalculator;
  using Superclass = ReferenceComparisonCalculator<TImage>;
  using Pointer = SmartPointer<Self>;
  using ConstPointer = SmartPointer<const Self>;

  /** Method for creation through the object factory. */
  itkNewMacro(Self);

  /** Run-time type information (and related methods). */
  itkTypeMacro(StructuralSimilarityCalculator, ReferenceComparisonCalculator);

  using typename Superclass::ImageType;
  using typename Superclass::PixelType;
  static constexpr unsigned int ImageDimension = ImageType::ImageDimension;
  static_assert(ImageDimension >= 2, "SSIM needs at least two image axes");

  /** The window: 11 x 11 pixels, Gaussian with sigma 1.5. */
  static constexpr unsigned int WindowSize = 11;
  static constexpr double GaussianSigma = 1.5;
  /** The stabilising constants of Wang et al. */
  static constexpr double K1 = 0.01;
  static constexpr double K2 = 0.03;

  /** The 1-D Gaussian weights g(k) = exp(-(k - 5)^2 / (2 sigma^2)) / sum, k = 0..10; the 2-D window
   * is g(i) g(j), which sums to 1. */
  static std::array<double, WindowSize>
  GetGaussianWeights();

  /** Computes the mean SSIM. */
  void
  Compute();

  /** The mean SSIM (1 for identical images); valid after Compute(). */
  itkGetConstMacro(SSIM, double);

  /** The number of window positions averaged in the last Compute(). */
  itkGetConstMacro(NumberOfWindows, SizeValueType);

protected:
  StructuralSimilarityCalculator() = default;
  ~StructuralSimilarityCalculator() override = default;

  void
  PrintSelf(std::ostream & os, Indent indent) const override;

private:
  double m_SSIM{ 0.0 };
  SizeValueType m_NumberOfWindows{ 0 };
};

} // namespace itk

#ifndef ITK_MANUAL_INSTANTIATION
#include "itkStructuralSimilarityCalculator.hxx"
#endif

#endif

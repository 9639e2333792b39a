#ifndef itkImageEntropyCalculator_h
#define itkImageEntropyCalculator_h

#include "itkMedCryptIntensityView.h"
#include "itkObject.h"
#include "itkObjectFactory.h"

#include <vector>

namespace itk
{

/** \class ImageEntropyCalculator
 * \brief Shannon entropy (paper Eq. 8) of the N-bit view of an image, in bits.
 *
 * The histogram H has 2^N bins filled with the N-bit view of every pixel of the buffered region
 * (MedCryptIntensityView: integer types shifted to unsigned then >> (B - N); floating types binned
 * between the image's minimum and maximum). With p(x) = H(x) / (number of pixels),
 * entropy = -sum_x p(x) log2 p(x), with 0 log 0 = 0. Any dimension (a 3-D image is one histogram
 * over all its voxels). N defaults to 8, the paper's 8-bit entropy; an ideal cipher of 256x256
 * pixels gives about 7.9972.
 *
 * Compute() throws itk::ExceptionObject when no image is set, the image is empty or N does not fit
 * the pixel type (see MedCryptIntensityView). */
template<typename TImage>
class ITK_TEMPLATE_EXPORT ImageEntropyCalculator : public Object
{
public:
  ITK_DISALLOW_COPY_AND_MOVE(ImageEntropyCalculator);

  /** Standard class type aliases. */
  using Self = ImageEntropyCalculator;
  using Superclass = Object;
  using Pointer = SmartPointer<Self>;
  using ConstPointer = SmartPointer<const Self>;

  /** Method for creation through the object factory. */
  itkNewMacro(Self);

  /** Run-time type information (and related methods). */
  itkTypeMacro(ImageEntropyCalculator, Object);

  using ImageType = TImage;
  using ImageConstPointer = typename ImageType::ConstPointer;
  using PixelType = typename ImageType::PixelType;
  /** Counts of the 2^N bins, bin 0 first. */
  using HistogramType = std::vector<SizeValueType>;

  /** The image whose entropy is computed (its buffered region). */
  itkSetConstObjectMacro(Image, ImageType);
  itkGetConstObjectMacro(Image, ImageType);

  /** N, the number of bits of the intensity view (default 8: 256 bins). */
  itkSetMacro(NumberOfBits, unsigned int);
  itkGetConstMacro(NumberOfBits, unsigned int);

  /** Fills the histogram and computes the entropy. */
  void
  Compute();

  /** The entropy in bits, in [0, N]; valid after Compute(). */
  itkGetConstMacro(Entropy, double);

  /** The 2^N bin counts of the last Compute(). */
  const HistogramType &
  GetHistogram() const
  {
    return m_Histogram;
  }

protected:
  ImageEntropyCalculator() = default;
  ~ImageEntropyCalculator() override = default;

  void
  PrintSelf(std::ostream & os, Indent indent) const override;

private:
  ImageConstPointer m_Image;
  unsigned int m_NumberOfBits{ 8 };
  double m_Entropy{ 0.0 };
  HistogramType m_Histogram;
};

} // namespace itk

#ifndef ITK_MANUAL_INSTANTIATION
#include "itkImageEntropyCalculator.hxx"
#endif

#endif

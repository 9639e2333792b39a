#ifndef medcrypt_TrainingImageSource_h
#define medcrypt_TrainingImageSource_h

// Where training images come from. model/ knows no image file formats: a reader elsewhere (the
// converter's ITK-based ImageDirectorySource) or a test supplies the images through this interface.

#include <ATen/core/Tensor.h>

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace medcrypt
{

/** A fixed, ordered collection of 2-D training images. Implementations must return the same image
 * for the same index every time (training is reproducible with a seed). */
class TrainingImageSource
{
public:
  virtual ~TrainingImageSource() = default;

  /** Number of images. */
  virtual std::size_t
  size() const = 0;

  /** Image `index` (< size()) as a float32 CPU tensor [1, H, W] with values in [0, 1]. */
  virtual at::Tensor
  get(std::size_t index) = 0;

  /** A short name of image `index` for messages (e.g. the file and slice). */
  virtual std::string
  describe(std::size_t index) const
  {
    return "image " + std::to_string(index);
  }
};

/** Images already in memory (tests, synthetic data): each a float tensor [1, H, W] in [0, 1]. */
class TensorImageSource : public TrainingImageSource
{
public:
  explicit TensorImageSource(std::vector<at::Tensor> images)
    : m_Images(std::move(images))
  {
  }

  std::size_t
  size() const override
  {
    return m_Images.size();
  }

  at::Tensor
  get(std::size_t index) override
  {
    return m_Images.at(index);
  }

private:
  std::vector<at::Tensor> m_Images;
};

} // namespace medcrypt

#endif

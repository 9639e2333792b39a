#ifndef medcrypt_TrainingData_h
#define medcrypt_TrainingData_h

// The trainer's data pipeline: random crops with augmentation, random feature keys, changed-pixel
// twins. Every random choice comes from one TrainingRandom, so a seed fixes the whole stream and a
// checkpoint can store and restore it.

#include "medcrypt/ModelConfig.h"
#include "medcrypt/TrainingOptions.h"
#include "medcrypt/TrainingImageSource.h"

#include <torch/torch.h>

#include <array>
#include <cstdint>
#include <random>
#include <string>

namespace medcrypt
{

/** The random state of training: a 64-bit Mersenne Twister for choices and a LibTorch CPU generator
 * for tensors. */
class TrainingRandom
{
public:
  explicit TrainingRandom(std::uint64_t seed);

  /** Uniform in [0, 1). */
  double
  Uniform();

  /** Uniform integer in [low, high]. */
  std::int64_t
  Integer(std::int64_t low, std::int64_t high);

  /** The CPU generator for torch::rand / randn. */
  at::Generator &
  Generator()
  {
    return m_Generator;
  }

  /** The Mersenne Twister's state as text (std::mt19937_64's stream format). */
  std::string
  EngineState() const;

  /** The generator's state as a uint8 tensor. */
  torch::Tensor
  GeneratorState() const;

  /** Restores both states (as returned by EngineState and GeneratorState). */
  void
  Restore(const std::string & engineState, const torch::Tensor & generatorState);

  /** Four logistic-map initial values x0_1..x0_4, each strictly inside (0, 1) (InitialValueFromWord
   * of a random 64-bit word). */
  std::array<double, 4>
  InitialValues();

private:
  std::mt19937_64 m_Engine;
  at::Generator m_Generator;
};

/** A random crop [1, crop, crop] of a random image of `source`, augmented. Images smaller than the
 * crop are first padded by edge replication. */
torch::Tensor
SampleCrop(TrainingImageSource & source, int crop, const AugmentationOptions & augmentation, TrainingRandom & random);

/** `batch` crops stacked: [batch, 1, crop, crop] on the CPU. */
torch::Tensor
SampleBatch(TrainingImageSource & source,
            int batch,
            int crop,
            const AugmentationOptions & augmentation,
            TrainingRandom & random);

/** Random feature keys for each image of a batch (random x0, default mu and burn-in), stacked:
 * K_i [batch, C_i, crop / 2^i, crop / 2^i] on the CPU. */
std::vector<torch::Tensor>
RandomFeatureKeys(const ModelConfig & config, int batch, int crop, TrainingRandom & random);

/** A copy of `images` [B, 1, H, W] in which one random pixel per image moved by one 8-bit level
 * (1/255, downwards when that would leave [0, 1]): the plaintext of the diffusion loss. */
torch::Tensor
ChangeOnePixel(const torch::Tensor & images, TrainingRandom & random);

/** A batch's twins for the diffusion loss (Eq. 24) and their feature keys. */
struct TwinBatch
{
  torch::Tensor images;            // [B, 1, H, W], on the device of the batch
  std::vector<torch::Tensor> keys; // K_i [B, C_i, H / 2^i, W / 2^i] on the CPU
};

/** The twin of each image of a batch. Normally one pixel changes (ChangeOnePixel) and every feature key
 * is new, as a real one-pixel change gives a new digest. With probability `singleLevelProbability` an
 * image's twin is instead the same plaintext with the feature key of one random level alone replaced:
 * what the paper's key-sensitivity test (one x0 + 1e-15) does. With probability 0 the random stream is
 * that of ChangeOnePixel followed by RandomFeatureKeys. */
TwinBatch
MakeTwins(const torch::Tensor & images,
          const std::vector<torch::Tensor> & keys,
          const ModelConfig & config,
          double singleLevelProbability,
          TrainingRandom & random);

} // namespace medcrypt

#endif

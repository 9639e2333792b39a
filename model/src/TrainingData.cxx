#include "medcrypt/TrainingData.h"

#include "medcrypt/FeatureKeyTensors.h"
#include "medcrypt/FeatureKeys.h"
#include "medcrypt/UserKey.h"

#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <cmath>
#include <sstream>
#include <stdexcept>

namespace medcrypt
{

TrainingRandom::TrainingRandom(std::uint64_t seed)
  : m_Engine(seed)
  , m_Generator(at::make_generator<at::CPUGeneratorImpl>(seed))
{
}

double
TrainingRandom::Uniform()
{
  // 53 random bits: exact and reproducible on every platform (unlike std::uniform_real_distribution).
  return static_cast<double>(m_Engine() >> 11) * 0x1p-53;
}

std::int64_t
TrainingRandom::Integer(std::int64_t low, std::int64_t high)
{
  if (high < low)
  {
    throw std::invalid_argument("TrainingRandom::Integer: empty range");
  }
  const auto span = static_cast<std::uint64_t>(high - low) + 1;
  return low + static_cast<std::int64_t>(m_Engine() % span); // the bias is below 2^-40 for our spans
}

std::string
TrainingRandom::EngineState() const
{
  std::ostringstream state;
  state << m_Engine;
  return state.str();
}

torch::Tensor
TrainingRandom::GeneratorState() const
{
  return m_Generator.get_state();
}

void
TrainingRandom::Restore(const std::string & engineState, const torch::Tensor & generatorState)
{
  std::istringstream state(engineState);
  state >> m_Engine;
  if (!state)
  {
    throw std::invalid_argument("TrainingRandom: unreadable engine state");
  }
  std::lock_guard<std::mutex> lock(m_Generator.mutex());
  m_Generator.set_state(generatorState);
}

std::array<double, 4>
TrainingRandom::InitialValues()
{
  std::array<double, 4> x0{};
  for (auto & value : x0)
  {
    value = InitialValueFromWord(m_Engine());
  }
  return x0;
}

namespace
{

/** The edge of the square cut from a height x width image before it is resampled to crop x crop:
 * crop itself unless the zoom augmentation fires; then round(crop / s) for a log-uniform s, but no
 * larger than the image's shorter edge (or the crop, when that edge is shorter than the crop: such an
 * image is padded to the crop as without zoom, never shrunk). */
int64_t
ZoomWindow(int crop, int64_t height, int64_t width, const AugmentationOptions & augmentation, TrainingRandom & random)
{
  if (augmentation.zoomProbability <= 0.0 || random.Uniform() >= augmentation.zoomProbability)
  {
    return crop;
  }
  const double low = std::log(augmentation.minZoom);
  const double zoom = std::exp(low + (std::log(augmentation.maxZoom) - low) * random.Uniform());
  const auto window = static_cast<int64_t>(std::llround(crop / zoom));
  const int64_t largest = std::max<int64_t>(crop, std::min(height, width));
  return std::max<int64_t>(1, std::min(window, largest));
}

} // namespace

torch::Tensor
SampleCrop(TrainingImageSource & source, int crop, const AugmentationOptions & augmentation, TrainingRandom & random)
{
  if (source.size() == 0)
  {
    throw std::invalid_argument("SampleCrop: the image source is empty");
  }
  const auto index = static_cast<std::size_t>(random.Integer(0, static_cast<std::int64_t>(source.size()) - 1));
  torch::Tensor image = source.get(index);
  if (image.dim() != 3 || image.size(0) != 1)
  {
    throw std::invalid_argument("SampleCrop: " + source.describe(index) + " is not a [1, H, W] tensor");
  }
  image = image.to(torch::kFloat32);
  const int64_t height = image.size(1);
  const int64_t width = image.size(2);
  const int64_t window = ZoomWindow(crop, height, width, augmentation, random);
  namespace F = torch::nn::functional;
  if (height < window || width < window)
  {
    const int64_t padRows = std::max<int64_t>(0, window - height);
    const int64_t padColumns = std::max<int64_t>(0, window - width);
    image =
      F::pad(image.unsqueeze(0),
             F::PadFuncOptions({ padColumns / 2, padColumns - padColumns / 2, padRows / 2, padRows - padRows / 2 })
               .mode(torch::kReplicate))
        .squeeze(0);
  }
  const int64_t top = random.Integer(0, image.size(1) - window);
  const int64_t left = random.Integer(0, image.size(2) - window);
  torch::Tensor x = image.slice(1, top, top + window).slice(2, left, left + window);
  if (window != crop)
  {
    x = F::interpolate(x.unsqueeze(0),
                       F::InterpolateFuncOptions()
                         .size(std::vector<int64_t>{ crop, crop })
                         .mode(torch::kBilinear)
                         .align_corners(false))
          .squeeze(0)
          .clamp(0.0, 1.0);
  }

  if (augmentation.flips)
  {
    if (random.Integer(0, 1) == 1)
    {
      x = x.flip({ 2 });
    }
    if (random.Integer(0, 1) == 1)
    {
      x = x.flip({ 1 });
    }
  }
  if (augmentation.turns)
  {
    x = torch::rot90(x, random.Integer(0, 3), { 1, 2 });
  }
  if (random.Uniform() < augmentation.windowProbability)
  {
    const double low = 0.4 * random.Uniform();
    const double high = 0.6 + 0.4 * random.Uniform();
    x = ((x - low) / (high - low)).clamp(0.0, 1.0);
  }
  if (random.Uniform() < augmentation.noiseProbability)
  {
    const double sigma = augmentation.maxNoiseSigma * random.Uniform();
    x = (x + sigma * torch::randn(x.sizes(), random.Generator(), x.options())).clamp(0.0, 1.0);
  }
  const auto bits = random.Integer(augmentation.minBits, augmentation.maxBits);
  const double levels = static_cast<double>((std::int64_t{ 1 } << bits) - 1);
  return (torch::round(x * levels) / levels).contiguous();
}

torch::Tensor
SampleBatch(TrainingImageSource & source,
            int batch,
            int crop,
            const AugmentationOptions & augmentation,
            TrainingRandom & random)
{
  std::vector<torch::Tensor> crops;
  for (int b = 0; b < batch; ++b)
  {
    crops.push_back(SampleCrop(source, crop, augmentation, random));
  }
  return torch::stack(crops);
}

std::vector<torch::Tensor>
RandomFeatureKeys(const ModelConfig & config, int batch, int crop, TrainingRandom & random)
{
  std::vector<std::vector<torch::Tensor>> perImage;
  for (int b = 0; b < batch; ++b)
  {
    perImage.push_back(
      MakeFeatureKeys(random.InitialValues(), UserKey::DefaultMu, UserKey::DefaultBurnIn, config, crop));
  }
  return StackFeatureKeys(perImage);
}

torch::Tensor
ChangeOnePixel(const torch::Tensor & images, TrainingRandom & random)
{
  torch::Tensor changed = images.to(torch::kCPU, torch::kFloat32).clone().contiguous();
  const int64_t pixels = changed.size(2) * changed.size(3);
  auto values = changed.view({ changed.size(0), pixels });
  auto access = values.accessor<float, 2>();
  constexpr float level = 1.0f / 255.0f;
  for (int64_t b = 0; b < changed.size(0); ++b)
  {
    const int64_t p = random.Integer(0, pixels - 1);
    const float value = access[b][p];
    access[b][p] = value + level <= 1.0f ? value + level : value - level;
  }
  return changed.to(images.device());
}

TwinBatch
MakeTwins(const torch::Tensor & images,
          const std::vector<torch::Tensor> & keys,
          const ModelConfig & config,
          double singleLevelProbability,
          TrainingRandom & random)
{
  const int batch = static_cast<int>(images.size(0));
  TwinBatch twins;
  twins.images = ChangeOnePixel(images, random);
  twins.keys = RandomFeatureKeys(config, batch, static_cast<int>(images.size(2)), random);
  if (singleLevelProbability <= 0.0)
  {
    return twins;
  }
  const int levels = static_cast<int>(keys.size());
  for (int b = 0; b < batch; ++b)
  {
    if (random.Uniform() >= singleLevelProbability)
    {
      continue;
    }
    const int changedLevel = static_cast<int>(random.Integer(0, levels - 1));
    twins.images[b].copy_(images[b]);
    for (int level = 0; level < levels; ++level)
    {
      if (level != changedLevel)
      {
        twins.keys[level][b].copy_(keys[level][b]);
      }
    }
  }
  return twins;
}

} // namespace medcrypt

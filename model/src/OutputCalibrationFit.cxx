#include "medcrypt/OutputCalibrationFit.h"

#include "medcrypt/Error.h"
#include "medcrypt/OutputCalibration.h"
#include "medcrypt/TrainingData.h"

#include <algorithm>
#include <cmath>

namespace medcrypt
{

namespace
{

constexpr int BatchSize = 4;

/** Counts of the 8-bit view (value >> 8 of the 16-bit ciphertext) of values in [0, 1]. */
torch::Tensor
EightBitHistogram(const torch::Tensor & values)
{
  const torch::Tensor quantised = (values * 65535.0).round().clamp(0, 65535).to(torch::kLong);
  return torch::bincount(quantised.div(256, "floor").flatten(), {}, 256).to(torch::kFloat64);
}

double
EntropyBits(const torch::Tensor & counts)
{
  const torch::Tensor probability = counts / counts.sum();
  const torch::Tensor present = probability.masked_select(probability > 0);
  return -(present * present.log2()).sum().item<double>();
}

} // namespace

OutputCalibrationFit
FitOutputCalibrationOnImages(CipherNet & net, TrainingImageSource & source, std::int64_t tiles, std::uint64_t seed)
{
  if (tiles < 1)
  {
    throw UserError("the output calibration needs at least one tile");
  }
  if (source.size() == 0)
  {
    throw UserError("the output calibration needs images, and none were found");
  }
  AugmentationOptions plain;
  plain.windowProbability = 0.0;
  plain.noiseProbability = 0.0;
  plain.minBits = 16;
  plain.maxBits = 16;
  TrainingRandom random(seed);
  const ModelConfig & config = net->config();
  const int tile = config.tileSize;
  const torch::Device device = net->outputCalibration().device();
  const bool wasTraining = net->is_training();
  const bool hadFusion = net->fusionEnabled();
  net->eval();
  net->setFusionEnabled(true);

  torch::NoGradGuard noGrad;
  std::vector<torch::Tensor> outputs;
  for (std::int64_t done = 0; done < tiles; done += BatchSize)
  {
    const int batch = static_cast<int>(std::min<std::int64_t>(BatchSize, tiles - done));
    const torch::Tensor images = SampleBatch(source, batch, tile, plain, random).to(device);
    std::vector<torch::Tensor> keys = RandomFeatureKeys(config, batch, tile, random);
    const torch::Tensor cipher = net->encrypt(images, keys).cipher;
    outputs.push_back(InvertOutputCalibration(cipher, net->outputCalibration()).to(torch::kCPU, torch::kFloat64));
  }
  net->setFusionEnabled(hadFusion);
  net->train(wasTraining);

  const torch::Tensor uncalibrated = torch::cat(outputs).clamp(0.0, 1.0);
  OutputCalibrationFit fit;
  fit.tiles = tiles;
  fit.knots = FitOutputCalibration(uncalibrated);
  const torch::Tensor before = EightBitHistogram(uncalibrated);
  fit.entropyBefore = EntropyBits(before);
  fit.entropyAfter =
    EntropyBits(EightBitHistogram(ApplyOutputCalibration(uncalibrated, fit.knots.to(torch::kFloat64))));
  fit.outerBinsBefore = (before[0] + before[255]).item<double>() / 2.0 / (before.sum().item<double>() / 256.0);
  return fit;
}

} // namespace medcrypt

#include "medcrypt/FeatureKeyTensors.h"

#include "medcrypt/FeatureKeys.h"

#include <algorithm>
#include <stdexcept>

namespace medcrypt
{

std::vector<torch::Tensor>
MakeFeatureKeys(const std::array<double, 4> & x0, double mu, int burnIn, const ModelConfig & config, int tileSize)
{
  const int levels = config.Levels();
  if (tileSize <= 0 || tileSize % config.SubPixelFactor() != 0)
  {
    throw std::invalid_argument("MakeFeatureKeys: tile size " + std::to_string(tileSize) +
                                " is not a positive multiple of " + std::to_string(config.SubPixelFactor()));
  }
  std::vector<torch::Tensor> keys;
  for (int i = 1; i <= levels; ++i)
  {
    const int64_t edge = tileSize >> i;
    torch::Tensor key = torch::empty({ config.Channels(i), edge, edge }, torch::kFloat32);
    FillUniformisedSequence(
      x0[std::min(i - 1, 3)], mu, burnIn, key.data_ptr<float>(), static_cast<std::size_t>(key.numel()));
    keys.push_back(key);
  }
  return keys;
}

std::vector<torch::Tensor>
StackFeatureKeys(const std::vector<std::vector<torch::Tensor>> & perTile)
{
  if (perTile.empty())
  {
    throw std::invalid_argument("StackFeatureKeys: no keys");
  }
  std::vector<torch::Tensor> batch;
  for (std::size_t level = 0; level < perTile.front().size(); ++level)
  {
    std::vector<torch::Tensor> items;
    for (const auto & keys : perTile)
    {
      items.push_back(keys.at(level));
    }
    batch.push_back(torch::stack(items));
  }
  return batch;
}

} // namespace medcrypt

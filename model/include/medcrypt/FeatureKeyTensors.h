#ifndef medcrypt_FeatureKeyTensors_h
#define medcrypt_FeatureKeyTensors_h

// Feature keys K_1..K_L as tensors (scheme.md section 2): each level's key has the shape of that
// level's features and is filled from the uniformised logistic sequence of one x0.

#include "medcrypt/ModelConfig.h"

#include <torch/torch.h>

#include <array>
#include <vector>

namespace medcrypt
{

/** K_i for i = 1..L: float tensors [C_i, T / 2^i, T / 2^i] filled in row-major order (channel, then
 * row, then column) with FillUniformisedSequence(x0[min(i - 1, 3)], mu, burnIn): level i uses
 * x0_i for i <= 4; a configuration with more than four levels reuses x0_4 for levels 5 and up.
 * tileSize must be a multiple of 2^L (throws std::invalid_argument otherwise). */
std::vector<torch::Tensor>
MakeFeatureKeys(const std::array<double, 4> & x0, double mu, int burnIn, const ModelConfig & config, int tileSize);

/** Stacks per-tile keys (each as from MakeFeatureKeys) into batch keys [B, C_i, H_i, W_i]. */
std::vector<torch::Tensor>
StackFeatureKeys(const std::vector<std::vector<torch::Tensor>> & perTile);

} // namespace medcrypt

#endif

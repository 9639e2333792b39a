#ifndef medcrypt_FeatureFusion_h
#define medcrypt_FeatureFusion_h

// Feature fusion with the feature keys (paper II.B.2 and II.B.4): the Feature Fusion Passing Module
// (FFPM) of encryption, its exact inverse (Eq. 6) and the Feature Fusion Decryption Module (FFDM).

#include "medcrypt/ResidualBlocks.h"

namespace medcrypt
{

/** Eq. 3: F_{i+1} = alpha F + (1 - alpha) K with one alpha per channel.
 * features, projectedKey: [B, C, H, W]; alpha: [B, C]. */
torch::Tensor
Fuse(const torch::Tensor & features, const torch::Tensor & projectedKey, const torch::Tensor & alpha);

/** Eq. 6, the exact inverse of Fuse: F = (F_{i+1} - K) / alpha + K. alpha must be non-zero
 * (CipherNet keeps it in [alphaMin, alphaMax]). */
torch::Tensor
Defuse(const torch::Tensor & fused, const torch::Tensor & projectedKey, const torch::Tensor & alpha);

/** alpha [B, C] as a [B, C, 1, 1] tensor that broadcasts over a feature map. */
torch::Tensor
AlphaMap(const torch::Tensor & alpha);

/** What FFPM_i hands on: the fused features F_{i+1}, alpha_i [B, C] and the projected key K'_i
 * (the decryption needs the same K'_i for Eq. 6). */
struct FusionOutput
{
  torch::Tensor fused;
  torch::Tensor alpha;
  torch::Tensor projectedKey;
};

/** FFPM_i (paper Figure 4 b): a feature branch of residual blocks (it widens the receptive field),
 * a key projection of residual blocks (uniform K_i -> the feature distribution) and residual blocks
 * on concat(features, projected key) whose sigmoid, averaged over the image, gives one alpha per
 * channel: alpha = alphaMin + (alphaMax - alphaMin) mean_{x,y} sigmoid(.) in [alphaMin, alphaMax]. */
class FeatureFusionPassingModuleImpl : public torch::nn::Module
{
public:
  FeatureFusionPassingModuleImpl(int64_t channels,
                                 int featureBlocks,
                                 int keyBlocks,
                                 int alphaBlocks,
                                 double leakySlope,
                                 double alphaMin,
                                 double alphaMax);

  /** The feature branch: [B, C, H, W] -> [B, C, H, W]. */
  torch::Tensor
  encodeFeatures(const torch::Tensor & features);

  /** The key projection: uniformised K_i [B, C, H, W] -> K'_i [B, C, H, W]. */
  torch::Tensor
  projectKey(const torch::Tensor & key);

  /** alpha_i [B, C] in [alphaMin, alphaMax] from the feature-branch output and K'_i. */
  torch::Tensor
  computeAlpha(const torch::Tensor & encodedFeatures, const torch::Tensor & projectedKey);

  /** The whole module. With fusion off, alpha = 1, the key is not used (projectedKey is undefined)
   * and fused = encodeFeatures(features). */
  FusionOutput
  forward(const torch::Tensor & features, const torch::Tensor & key, bool fusion);

private:
  torch::nn::Sequential m_FeatureBranch{ nullptr };
  torch::nn::Sequential m_KeyProjection{ nullptr };
  torch::nn::Sequential m_AlphaBranch{ nullptr };
  double m_AlphaMin;
  double m_AlphaMax;
};
TORCH_MODULE(FeatureFusionPassingModule);

/** FFDM_i (paper Figure 4 c): restores the input of FFPM_i from the de-fused features. A feature
 * branch of residual blocks on the de-fused features, a conditioning branch on concat(K'_i, alpha_i
 * broadcast) (the first block maps 2 C -> C) and a merging block 2 C -> C. */
class FeatureFusionDecryptionModuleImpl : public torch::nn::Module
{
public:
  FeatureFusionDecryptionModuleImpl(int64_t channels, int blocks, double leakySlope);

  /** defused: [B, C, H, W]; projectedKey: K'_i [B, C, H, W] (zeros when fusion is off); alpha: [B, C]. */
  torch::Tensor
  forward(const torch::Tensor & defused, const torch::Tensor & projectedKey, const torch::Tensor & alpha);

private:
  torch::nn::Sequential m_FeatureBranch{ nullptr };
  torch::nn::Sequential m_ConditionBranch{ nullptr };
  ResidualBlock m_Merge{ nullptr };
};
TORCH_MODULE(FeatureFusionDecryptionModule);

} // namespace medcrypt

#endif

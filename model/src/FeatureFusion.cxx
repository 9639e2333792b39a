#include "medcrypt/FeatureFusion.h"

namespace medcrypt
{

torch::Tensor
AlphaMap(const torch::Tensor & alpha)
{
  return alpha.unsqueeze(-1).unsqueeze(-1);
}

torch::Tensor
Fuse(const torch::Tensor & features, const torch::Tensor & projectedKey, const torch::Tensor & alpha)
{
  const torch::Tensor a = AlphaMap(alpha);
  return a * features + (1 - a) * projectedKey;
}

torch::Tensor
Defuse(const torch::Tensor & fused, const torch::Tensor & projectedKey, const torch::Tensor & alpha)
{
  return (fused - projectedKey) / AlphaMap(alpha) + projectedKey;
}

FeatureFusionPassingModuleImpl::FeatureFusionPassingModuleImpl(int64_t channels,
                                                               int featureBlocks,
                                                               int keyBlocks,
                                                               int alphaBlocks,
                                                               double leakySlope,
                                                               double alphaMin,
                                                               double alphaMax)
  : m_AlphaMin(alphaMin)
  , m_AlphaMax(alphaMax)
{
  m_FeatureBranch = register_module("feature_branch", MakeResidualStack(channels, channels, featureBlocks, leakySlope));
  m_KeyProjection = register_module("key_projection", MakeResidualStack(channels, channels, keyBlocks, leakySlope));
  m_AlphaBranch = register_module("alpha_branch", MakeResidualStack(2 * channels, channels, alphaBlocks, leakySlope));
}

torch::Tensor
FeatureFusionPassingModuleImpl::encodeFeatures(const torch::Tensor & features)
{
  return ForwardStack(m_FeatureBranch, features);
}

torch::Tensor
FeatureFusionPassingModuleImpl::projectKey(const torch::Tensor & key)
{
  return ForwardStack(m_KeyProjection, key);
}

torch::Tensor
FeatureFusionPassingModuleImpl::computeAlpha(const torch::Tensor & encodedFeatures, const torch::Tensor & projectedKey)
{
  const torch::Tensor gate = torch::sigmoid(m_AlphaBranch->forward(torch::cat({ encodedFeatures, projectedKey }, 1)));
  return m_AlphaMin + (m_AlphaMax - m_AlphaMin) * gate.mean({ 2, 3 });
}

FusionOutput
FeatureFusionPassingModuleImpl::forward(const torch::Tensor & features, const torch::Tensor & key, bool fusion)
{
  FusionOutput output;
  const torch::Tensor encoded = encodeFeatures(features);
  if (!fusion)
  {
    output.fused = encoded;
    output.alpha = torch::ones({ encoded.size(0), encoded.size(1) }, encoded.options());
    return output;
  }
  output.projectedKey = projectKey(key);
  output.alpha = computeAlpha(encoded, output.projectedKey);
  output.fused = Fuse(encoded, output.projectedKey, output.alpha);
  return output;
}

FeatureFusionDecryptionModuleImpl::FeatureFusionDecryptionModuleImpl(int64_t channels, int blocks, double leakySlope)
{
  m_FeatureBranch = register_module("feature_branch", MakeResidualStack(channels, channels, blocks, leakySlope));
  m_ConditionBranch =
    register_module("condition_branch", MakeResidualStack(2 * channels, channels, blocks, leakySlope));
  m_Merge = register_module("merge", ResidualBlock(2 * channels, channels, leakySlope));
}

torch::Tensor
FeatureFusionDecryptionModuleImpl::forward(const torch::Tensor & defused,
                                           const torch::Tensor & projectedKey,
                                           const torch::Tensor & alpha)
{
  const torch::Tensor alphaMap = AlphaMap(alpha).expand_as(defused);
  const torch::Tensor features = ForwardStack(m_FeatureBranch, defused);
  const torch::Tensor condition = m_ConditionBranch->forward(torch::cat({ projectedKey, alphaMap }, 1));
  return m_Merge(torch::cat({ features, condition }, 1));
}

} // namespace medcrypt

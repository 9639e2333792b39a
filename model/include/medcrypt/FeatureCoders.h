#ifndef medcrypt_FeatureCoders_h
#define medcrypt_FeatureCoders_h

// The Feature Encoder and Decoder Modules of the paper (II.B.1): one level down (FEM) or up (FDM)
// of the feature pyramid.

#include "medcrypt/ResidualBlocks.h"

namespace medcrypt
{

/** FEM_i: 3x3 stride-2 convolution C_{i-1} -> C_i, a residual block, LeakyReLU. Halves H and W. */
class FeatureEncoderModuleImpl : public torch::nn::Module
{
public:
  FeatureEncoderModuleImpl(int64_t inChannels, int64_t outChannels, double leakySlope);

  /** x: [B, inChannels, H, W] (H, W even) -> [B, outChannels, H / 2, W / 2]. */
  torch::Tensor
  forward(const torch::Tensor & x);

private:
  torch::nn::Conv2d m_Down{ nullptr };
  ResidualBlock m_Block{ nullptr };
  double m_LeakySlope;
};
TORCH_MODULE(FeatureEncoderModule);

/** FDM_i: the mirror of FEM_i: 3x3 stride-2 transposed convolution C_i -> C_{i-1}, a residual
 * block, LeakyReLU. Doubles H and W. */
class FeatureDecoderModuleImpl : public torch::nn::Module
{
public:
  FeatureDecoderModuleImpl(int64_t inChannels, int64_t outChannels, double leakySlope);

  /** x: [B, inChannels, H, W] -> [B, outChannels, 2 H, 2 W]. */
  torch::Tensor
  forward(const torch::Tensor & x);

private:
  torch::nn::ConvTranspose2d m_Up{ nullptr };
  ResidualBlock m_Block{ nullptr };
  double m_LeakySlope;
};
TORCH_MODULE(FeatureDecoderModule);

} // namespace medcrypt

#endif

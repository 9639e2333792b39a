#ifndef medcrypt_ResidualBlocks_h
#define medcrypt_ResidualBlocks_h

// The two building blocks of the cipher network (paper Figure 4): the convolutional residual block
// of FEM/FDM/FFPM/FFDM and the dense block (a small densely connected MLP) of the FFEM couplings.
// No normalisation layers anywhere (paper II.B.1, as in StyleGAN2).

#include <torch/torch.h>

namespace medcrypt
{

/** out = shortcut(x) + conv2(LeakyReLU(conv1(x))), 3x3 convolutions with padding 1; the shortcut is
 * the identity when the channel counts agree and a 1x1 convolution otherwise. */
class ResidualBlockImpl : public torch::nn::Module
{
public:
  /** A block mapping inChannels -> outChannels at the same spatial size. */
  ResidualBlockImpl(int64_t inChannels, int64_t outChannels, double leakySlope);

  /** x: [B, inChannels, H, W] -> [B, outChannels, H, W]. */
  torch::Tensor
  forward(const torch::Tensor & x);

private:
  torch::nn::Conv2d m_Conv1{ nullptr };
  torch::nn::Conv2d m_Conv2{ nullptr };
  torch::nn::Conv2d m_Shortcut{ nullptr };
  double m_LeakySlope;
};
TORCH_MODULE(ResidualBlock);

/** `count` residual blocks in a row: the first maps inChannels -> outChannels, the others keep
 * outChannels. count = 0 gives an empty (identity) stack; then inChannels must equal outChannels. */
torch::nn::Sequential
MakeResidualStack(int64_t inChannels, int64_t outChannels, int count, double leakySlope);

/** Runs a stack made by MakeResidualStack; an empty stack returns x unchanged (a plain empty
 * torch::nn::Sequential refuses to run). */
torch::Tensor
ForwardStack(torch::nn::Sequential & stack, const torch::Tensor & x);

/** Dense block on vectors: layer l maps concat(x, h_0, ..., h_{l-1}) -> h_l (width `growth`,
 * LeakyReLU); a final linear layer maps concat(x, h_0, ..., h_{L-1}) -> outFeatures. */
class DenseBlockImpl : public torch::nn::Module
{
public:
  DenseBlockImpl(int64_t inFeatures, int64_t outFeatures, int layers, int64_t growth, double leakySlope);

  /** x: [B, inFeatures] -> [B, outFeatures]. */
  torch::Tensor
  forward(const torch::Tensor & x);

private:
  torch::nn::ModuleList m_Layers{ nullptr };
  torch::nn::Linear m_Output{ nullptr };
  double m_LeakySlope;
};
TORCH_MODULE(DenseBlock);

} // namespace medcrypt

#endif

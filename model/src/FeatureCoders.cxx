#include "medcrypt/FeatureCoders.h"

namespace medcrypt
{

FeatureEncoderModuleImpl::FeatureEncoderModuleImpl(int64_t inChannels, int64_t outChannels, double leakySlope)
  : m_LeakySlope(leakySlope)
{
  m_Down = register_module(
    "down", torch::nn::Conv2d(torch::nn::Conv2dOptions(inChannels, outChannels, 3).stride(2).padding(1)));
  m_Block = register_module("block", ResidualBlock(outChannels, outChannels, leakySlope));
}

torch::Tensor
FeatureEncoderModuleImpl::forward(const torch::Tensor & x)
{
  return torch::leaky_relu(m_Block(m_Down(x)), m_LeakySlope);
}

FeatureDecoderModuleImpl::FeatureDecoderModuleImpl(int64_t inChannels, int64_t outChannels, double leakySlope)
  : m_LeakySlope(leakySlope)
{
  m_Up = register_module(
    "up",
    torch::nn::ConvTranspose2d(
      torch::nn::ConvTranspose2dOptions(inChannels, outChannels, 3).stride(2).padding(1).output_padding(1)));
  m_Block = register_module("block", ResidualBlock(outChannels, outChannels, leakySlope));
}

torch::Tensor
FeatureDecoderModuleImpl::forward(const torch::Tensor & x)
{
  return torch::leaky_relu(m_Block(m_Up(x)), m_LeakySlope);
}

} // namespace medcrypt

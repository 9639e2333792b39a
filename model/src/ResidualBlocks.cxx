#include "medcrypt/ResidualBlocks.h"

#include <stdexcept>
#include <string>

namespace medcrypt
{

namespace
{

torch::nn::Conv2d
Conv3x3(int64_t inChannels, int64_t outChannels)
{
  return torch::nn::Conv2d(torch::nn::Conv2dOptions(inChannels, outChannels, 3).padding(1));
}

} // namespace

ResidualBlockImpl::ResidualBlockImpl(int64_t inChannels, int64_t outChannels, double leakySlope)
  : m_LeakySlope(leakySlope)
{
  m_Conv1 = register_module("conv1", Conv3x3(inChannels, outChannels));
  m_Conv2 = register_module("conv2", Conv3x3(outChannels, outChannels));
  if (inChannels != outChannels)
  {
    m_Shortcut = register_module("shortcut", torch::nn::Conv2d(torch::nn::Conv2dOptions(inChannels, outChannels, 1)));
  }
}

torch::Tensor
ResidualBlockImpl::forward(const torch::Tensor & x)
{
  const torch::Tensor branch = m_Conv2(torch::leaky_relu(m_Conv1(x), m_LeakySlope));
  return (m_Shortcut ? m_Shortcut(x) : x) + branch;
}

torch::nn::Sequential
MakeResidualStack(int64_t inChannels, int64_t outChannels, int count, double leakySlope)
{
  if (count == 0 && inChannels != outChannels)
  {
    throw std::invalid_argument("an empty residual stack cannot change the channel count");
  }
  torch::nn::Sequential stack;
  for (int i = 0; i < count; ++i)
  {
    stack->push_back(ResidualBlock(i == 0 ? inChannels : outChannels, outChannels, leakySlope));
  }
  return stack;
}

torch::Tensor
ForwardStack(torch::nn::Sequential & stack, const torch::Tensor & x)
{
  return stack->is_empty() ? x : stack->forward(x);
}

DenseBlockImpl::DenseBlockImpl(int64_t inFeatures, int64_t outFeatures, int layers, int64_t growth, double leakySlope)
  : m_LeakySlope(leakySlope)
{
  m_Layers = register_module("layers", torch::nn::ModuleList());
  int64_t width = inFeatures;
  for (int l = 0; l < layers; ++l)
  {
    m_Layers->push_back(torch::nn::Linear(width, growth));
    width += growth;
  }
  m_Output = register_module("output", torch::nn::Linear(width, outFeatures));
}

torch::Tensor
DenseBlockImpl::forward(const torch::Tensor & x)
{
  std::vector<torch::Tensor> features{ x };
  for (const auto & layer : *m_Layers)
  {
    features.push_back(
      torch::leaky_relu(layer->as<torch::nn::Linear>()->forward(torch::cat(features, 1)), m_LeakySlope));
  }
  return m_Output(torch::cat(features, 1));
}

} // namespace medcrypt

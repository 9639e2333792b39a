#include "medcrypt/FeatureFusionEncryption.h"

#include <stdexcept>

namespace medcrypt
{

torch::Tensor
KeySummary(const torch::Tensor & key)
{
  const int64_t channels = key.size(1);
  return 2.0 * key.flatten(1).narrow(1, 0, channels) - 1.0;
}

FeatureFusionEncryptionModuleImpl::FeatureFusionEncryptionModuleImpl(int64_t channels,
                                                                     int couplings,
                                                                     int denseLayers,
                                                                     int64_t growth,
                                                                     double leakySlope)
  : m_Half(channels / 2)
{
  if (channels % 2 != 0)
  {
    throw std::invalid_argument("FFEM: the channel count must be even");
  }
  for (int j = 0; j < couplings; ++j)
  {
    // Each dense block sees the other half and the key summary, and updates one half.
    m_F.push_back(register_module("f" + std::to_string(j + 1),
                                  DenseBlock(m_Half + channels, m_Half, denseLayers, growth, leakySlope)));
    m_G.push_back(register_module("g" + std::to_string(j + 1),
                                  DenseBlock(m_Half + channels, m_Half, denseLayers, growth, leakySlope)));
  }
}

torch::Tensor
FeatureFusionEncryptionModuleImpl::forward(const torch::Tensor & alpha, const torch::Tensor & keySummary)
{
  torch::Tensor a = alpha.narrow(1, 0, m_Half);
  torch::Tensor b = alpha.narrow(1, m_Half, m_Half);
  for (std::size_t j = 0; j < m_F.size(); ++j)
  {
    a = a + m_F[j]->forward(torch::cat({ b, keySummary }, 1));
    b = b + m_G[j]->forward(torch::cat({ a, keySummary }, 1));
  }
  return torch::cat({ a, b }, 1);
}

torch::Tensor
FeatureFusionEncryptionModuleImpl::inverse(const torch::Tensor & encrypted, const torch::Tensor & keySummary)
{
  torch::Tensor a = encrypted.narrow(1, 0, m_Half);
  torch::Tensor b = encrypted.narrow(1, m_Half, m_Half);
  for (std::size_t j = m_F.size(); j-- > 0;)
  {
    b = b - m_G[j]->forward(torch::cat({ a, keySummary }, 1));
    a = a - m_F[j]->forward(torch::cat({ b, keySummary }, 1));
  }
  return torch::cat({ a, b }, 1);
}

} // namespace medcrypt

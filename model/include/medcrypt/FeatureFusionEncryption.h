#ifndef medcrypt_FeatureFusionEncryption_h
#define medcrypt_FeatureFusionEncryption_h

// The Feature Fusion Encryption Module (paper II.B.3, Eq. 4-5): a keyed reversible network that
// encrypts the fusion parameters alpha_i into EP_i, which travel with the ciphertext.

#include "medcrypt/ResidualBlocks.h"

namespace medcrypt
{

/** k_i, the fixed summary of a feature key that keys the FFEM: the first C values of K_i's flattened
 * uniformised sequence (channel, then row, then column), mapped from (0, 1) to (-1, 1).
 * key: [B, C, H, W] -> [B, C]. A wrong key changes every value of k_i. */
torch::Tensor
KeySummary(const torch::Tensor & key);

/** FFEM_i: additive couplings over the per-channel alpha vector, keyed by k_i. alpha [B, C] is split
 * into halves a = alpha[:, :C/2], b = alpha[:, C/2:]; each coupling j computes
 * a <- a + F_j(concat(b, k)), b <- b + G_j(concat(a, k)), with F_j, G_j dense blocks; EP = concat(a, b).
 * The inverse runs the couplings backwards with subtraction, so it is exact up to rounding for the
 * right k and gives a different alpha for any other k. (The paper's literal Eq. 4-5 would let anyone
 * holding EP recover alpha without the key; see docs/design.md.) */
class FeatureFusionEncryptionModuleImpl : public torch::nn::Module
{
public:
  FeatureFusionEncryptionModuleImpl(int64_t channels,
                                    int couplings,
                                    int denseLayers,
                                    int64_t growth,
                                    double leakySlope);

  /** Encryption: alpha [B, C] and k [B, C] -> EP [B, C]. */
  torch::Tensor
  forward(const torch::Tensor & alpha, const torch::Tensor & keySummary);

  /** Decryption: EP [B, C] and k [B, C] -> alpha [B, C]. */
  torch::Tensor
  inverse(const torch::Tensor & encrypted, const torch::Tensor & keySummary);

private:
  int64_t m_Half;
  std::vector<DenseBlock> m_F;
  std::vector<DenseBlock> m_G;
};
TORCH_MODULE(FeatureFusionEncryptionModule);

} // namespace medcrypt

#endif

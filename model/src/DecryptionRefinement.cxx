#include "medcrypt/DecryptionRefinement.h"

#include <stdexcept>
#include <string>

namespace medcrypt
{

torch::Tensor
RefineDecryption(CipherNetImpl & net,
                 const torch::Tensor & cipher,
                 const std::vector<torch::Tensor> & alphas,
                 const std::vector<torch::Tensor> & keys,
                 const torch::Tensor & decoded,
                 int iterations)
{
  if (iterations < 0)
  {
    throw std::invalid_argument("RefineDecryption: iterations must be >= 0, got " + std::to_string(iterations));
  }
  if (!decoded.sizes().equals(cipher.sizes()))
  {
    throw std::invalid_argument("RefineDecryption: the decoded tiles and the ciphertext differ in shape");
  }
  torch::NoGradGuard noGradients;
  torch::Tensor estimate = decoded;
  for (int step = 0; step < iterations; ++step)
  {
    const torch::Tensor reencrypted = net.encrypt(estimate, keys).cipher;
    const torch::Tensor redecoded = net.decryptWithParameters(reencrypted, alphas, keys);
    estimate = (estimate + (decoded - redecoded)).clamp(0.0, 1.0);
  }
  return estimate;
}

} // namespace medcrypt

#include "medcrypt/DecryptionRefinement.h"

#include <stdexcept>
#include <string>

namespace medcrypt
{

torch::Tensor
DefectCorrectionStep(CipherNetImpl & net,
                     const torch::Tensor & estimate,
                     const torch::Tensor & decoded,
                     const std::vector<torch::Tensor> & alphas,
                     const std::vector<torch::Tensor> & keys)
{
  torch::Tensor reencrypted;
  {
    torch::NoGradGuard noGradients;
    reencrypted = net.encrypt(estimate.detach(), keys).cipher;
  }
  return (estimate + (decoded - net.decryptWithParameters(reencrypted, alphas, keys))).clamp(0.0, 1.0);
}

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
    estimate = DefectCorrectionStep(net, estimate, decoded, alphas, keys);
  }
  return estimate;
}

} // namespace medcrypt

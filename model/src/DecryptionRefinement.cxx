#include "medcrypt/DecryptionRefinement.h"

#include <stdexcept>
#include <string>

namespace medcrypt
{
namespace
{

/** E(estimate) under `keys`, without gradients (the estimate enters it detached). */
torch::Tensor
Reencrypt(CipherNetImpl & net, const torch::Tensor & estimate, const std::vector<torch::Tensor> & keys)
{
  torch::NoGradGuard noGradients;
  return net.encrypt(estimate.detach(), keys).cipher;
}

} // namespace

torch::Tensor
DefectCorrectionStep(CipherNetImpl & net,
                     const torch::Tensor & estimate,
                     const torch::Tensor & decoded,
                     const std::vector<torch::Tensor> & alphas,
                     const std::vector<torch::Tensor> & keys)
{
  const torch::Tensor reencrypted = Reencrypt(net, estimate, keys);
  return (estimate + (decoded - net.decryptWithParameters(reencrypted, alphas, keys))).clamp(0.0, 1.0);
}

torch::Tensor
AuthenticDefectCorrectionStep(CipherNetImpl & net,
                              const torch::Tensor & estimate,
                              const torch::Tensor & knownCipher,
                              const torch::Tensor & authentic,
                              const std::vector<torch::Tensor> & alphas,
                              const std::vector<torch::Tensor> & keys)
{
  const torch::Tensor reencrypted = Reencrypt(net, estimate, keys);
  const torch::Tensor filled = knownCipher + (1.0 - authentic) * reencrypted;
  // The correction first: where nothing is known, filled is reencrypted and it is exactly 0.
  const torch::Tensor correction =
    net.decryptWithParameters(filled, alphas, keys) - net.decryptWithParameters(reencrypted, alphas, keys);
  return (estimate + correction).clamp(0.0, 1.0);
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

torch::Tensor
RefineDecryptionWhereAuthentic(CipherNetImpl & net,
                               const torch::Tensor & cipher,
                               const torch::Tensor & authentic,
                               const std::vector<torch::Tensor> & alphas,
                               const std::vector<torch::Tensor> & keys,
                               const torch::Tensor & decoded,
                               int iterations)
{
  if (!authentic.sizes().equals(cipher.sizes()))
  {
    throw std::invalid_argument("RefineDecryptionWhereAuthentic: the authentic-pixel mask and the ciphertext differ "
                                "in shape");
  }
  if (authentic.min().item<float>() == 1.0f)
  {
    return RefineDecryption(net, cipher, alphas, keys, decoded, iterations);
  }
  if (iterations < 0)
  {
    throw std::invalid_argument("RefineDecryptionWhereAuthentic: iterations must be >= 0, got " +
                                std::to_string(iterations));
  }
  if (iterations == 0)
  {
    return decoded;
  }
  torch::NoGradGuard noGradients;
  const torch::Tensor known = authentic.to(cipher.scalar_type());
  const torch::Tensor knownCipher = known * cipher;
  // The first estimate of a tile that keeps some intact pixels is the mean of the decoder's output for the
  // ciphertext as it is, D(C), and for its intact pixels alone, the changed ones zeroed as an erasure the
  // decoder was trained on, D(m C) (measured better than either; docs/design.md). A tile without any
  // intact pixel keeps D(C).
  const torch::Tensor keepsSome = known.amax({ 1, 2, 3 }, /*keepdim=*/true) > 0;
  if (!keepsSome.any().item<bool>())
  {
    return decoded; // every pixel changed (noise): nothing to refine from
  }
  torch::Tensor estimate =
    torch::where(keepsSome, 0.5 * (net.decryptWithParameters(knownCipher, alphas, keys) + decoded), decoded);
  for (int step = 0; step < iterations; ++step)
  {
    estimate = AuthenticDefectCorrectionStep(net, estimate, knownCipher, known, alphas, keys);
  }
  return estimate;
}

} // namespace medcrypt

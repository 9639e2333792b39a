#ifndef medcrypt_DecryptionRefinement_h
#define medcrypt_DecryptionRefinement_h

// Network-only decryption refined by defect correction: the decoder's estimate is encrypted again
// under the same feature keys and the decoder's error on that re-encryption is taken back out.

#include "medcrypt/CipherNet.h"

#include <vector>

namespace medcrypt
{

/** Refines `decoded` = D(cipher), the decoder's plaintext estimate, by `iterations` steps of defect correction
 *     x_0 = D(C),   x_{k+1} = clamp(x_k + D(C) - D(E(x_k)), 0, 1),
 * where E is encryption under `keys` (its alphas computed from x_k) and D decoding with the recovered
 * `alphas` and `keys`. When D is an approximate inverse of E, D(E(x_k)) - x_k estimates the decoder's
 * error at x_k, which is close to its error at the plaintext, so subtracting it removes much of the
 * decoder's systematic error. Each step costs one encryption and one decoding. It needs an intact
 * ciphertext: on changed pixels (crops, noise) D(C) carries the damage and the correction amplifies it,
 * so callers refine only when the pixel digest matches (docs/design.md, "Refined network decryption").
 * Tensors [B, 1, T, T] on the network's device; no gradients are taken. iterations 0 returns `decoded`. */
/** One step of that correction with gradients: clamp(estimate + decoded - D(E(estimate)), 0, 1). The
 * re-encryption E(estimate) runs without gradients (the estimate enters it detached), so gradients reach
 * the decoder through `decoded`, `estimate` and the decoding of the re-encryption, never the encoder.
 * Training uses it to fit the decoder to the refined decryption it serves (TrainerOptions::
 * refinementTrainingSteps); RefineDecryption is this step repeated without gradients. */
torch::Tensor
DefectCorrectionStep(CipherNetImpl & net,
                     const torch::Tensor & estimate,
                     const torch::Tensor & decoded,
                     const std::vector<torch::Tensor> & alphas,
                     const std::vector<torch::Tensor> & keys);

torch::Tensor
RefineDecryption(CipherNetImpl & net,
                 const torch::Tensor & cipher,
                 const std::vector<torch::Tensor> & alphas,
                 const std::vector<torch::Tensor> & keys,
                 const torch::Tensor & decoded,
                 int iterations);

} // namespace medcrypt

#endif

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
 * so callers refine only when the pixel digest matches, or only where the pool digests say the pixels are
 * intact (RefineDecryptionWhereAuthentic; docs/design.md, "Refined network decryption").
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

/** One step of RefineDecryptionWhereAuthentic with gradients: clamp(estimate + [D(knownCipher + (1 - authentic)
 * E(estimate)) - D(E(estimate))], 0, 1), where knownCipher = authentic * C; E runs without gradients (the
 * estimate enters it detached). Training uses it to fit the decoder to format 4's decryption of attacked
 * ciphertexts (TrainerOptions::refineAttackedWhereIntact). */
torch::Tensor
AuthenticDefectCorrectionStep(CipherNetImpl & net,
                              const torch::Tensor & estimate,
                              const torch::Tensor & knownCipher,
                              const torch::Tensor & authentic,
                              const std::vector<torch::Tensor> & alphas,
                              const std::vector<torch::Tensor> & keys);

torch::Tensor
RefineDecryption(CipherNetImpl & net,
                 const torch::Tensor & cipher,
                 const std::vector<torch::Tensor> & alphas,
                 const std::vector<torch::Tensor> & keys,
                 const torch::Tensor & decoded,
                 int iterations);

/** The same correction for a ciphertext of which only some pixels are known to be those that encryption
 * wrote (cipher format version 4's pool digests): `authentic` ([B, 1, T, T], 1 for a known pixel, 0 for a
 * changed one) takes the changed pixels out of every decoding and puts the re-encryption's in their place,
 *     x_0 = (D(C) + D(m C)) / 2,   x_{k+1} = clamp(x_k + D(m C + (1 - m) E(x_k)) - D(E(x_k)), 0, 1),
 * so that the decoder's error is corrected wherever the ciphertext is intact and the changed pixels are
 * filled from the estimate instead of carrying their damage into it. With m = 1 everywhere this is
 * RefineDecryption; a tile with m = 0 everywhere keeps `decoded` (= D(C): nothing in it is known, and
 * what the changed pixels still say, under noise for instance, is all there is); iterations 0 returns
 * `decoded`. Each step costs one encryption and two decodings, plus one decoding for x_0. */
torch::Tensor
RefineDecryptionWhereAuthentic(CipherNetImpl & net,
                               const torch::Tensor & cipher,
                               const torch::Tensor & authentic,
                               const std::vector<torch::Tensor> & alphas,
                               const std::vector<torch::Tensor> & keys,
                               const torch::Tensor & decoded,
                               int iterations);

} // namespace medcrypt

#endif

#ifndef medcrypt_EncryptionFit_h
#define medcrypt_EncryptionFit_h

// A plaintext estimate fitted to a ciphertext through the encoder: x minimising mean (E(x) - C)^2.

#include "medcrypt/CipherNet.h"

#include <chrono>
#include <utility>
#include <vector>

namespace medcrypt
{

/** x minimising mean (E(clamp(x, 0, 1)) - cipher)^2 under `keys`, by L-BFGS (strong Wolfe line search) from
 * `start`, for `iterations` iterations or until `deadline`, whichever comes first (checked every 20
 * iterations); returns x clamped to [0, 1] and the iterations run. Only x is differentiated: the network's
 * parameter gradients are left as they were, so a training step can call it between zero_grad and
 * backward. Where the fit matches `cipher` far more closely than it matches the plaintext, the encoder
 * contracts the direction x - plaintext (bench/encoder_conditioning.cxx; TrainerOptions::
 * conditioningFitIterations). Tensors [B, 1, T, T] on the network's device. */
std::pair<torch::Tensor, int>
FitEncryption(CipherNetImpl & net,
              const torch::Tensor & cipher,
              const std::vector<torch::Tensor> & keys,
              const torch::Tensor & start,
              int iterations,
              std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max());

} // namespace medcrypt

#endif

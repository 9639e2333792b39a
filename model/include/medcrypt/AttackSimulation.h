#ifndef medcrypt_AttackSimulation_h
#define medcrypt_AttackSimulation_h

// Guideline 2 of the paper: simulate transmission damage on ciphertexts during training so that the
// decryption network learns to restore images from damaged ciphertexts.

#include "medcrypt/CiphertextLayout.h"

#include <torch/torch.h>

#include <optional>

namespace medcrypt
{

/** Bounds of the simulated damage. An attack kind whose bound is 0 is never chosen; all three 0 (or
 * probability 0) leaves every ciphertext as it is. */
struct AttackSimulationOptions
{
  double probability = 0.5;          // chance that a ciphertext in the batch is attacked at all
  double maxConstantFraction = 0.01; // "dropout": up to this fraction of pixels set to 0 or 1
  double maxRectangleFraction = 0.2; // edge of the black or white rectangle, as a fraction of the tile edge
  double maxNoiseSigma = 0.02;       // Gaussian noise standard deviation (image range [0, 1])
  // Damage the stored ciphertext of a permuting cipher format instead of the network's: each attacked
  // image's cells, then the pixels inside each pool, are shuffled at random in this layout (as the keyed
  // permutation of docs/format.md does), the attack is made there, and the shuffle is undone.
  std::optional<CiphertextLayout> permutedLayout;
};

/** UserError naming the option when one is outside its range (probability and fractions in [0, 1],
 * sigma finite and >= 0). */
void
ValidateAttackSimulationOptions(const AttackSimulationOptions & options);

/** Returns a damaged copy of cipher [B, 1, H, W] in [0, 1]: for each image, with the given
 * probability, one of the enabled kinds, chosen with equal chance:
 *  - constants: k distinct random pixels, k uniform in 1 .. max(1, floor(maxConstantFraction H W)),
 *    each set to 0 or 1 with equal chance ("salt and pepper");
 *  - rectangle: height uniform in 1 .. max(1, floor(maxRectangleFraction H)), width likewise with W,
 *    at a uniform position, all set to 0 (black) or 1 (white);
 *  - noise: Gaussian noise of standard deviation uniform in [0, maxNoiseSigma) added to every pixel,
 *    the result clamped to [0, 1].
 * With permutedLayout, each attacked image is first laid out as a permuting cipher format stores it (a
 * random shuffle of its cells and then of the pixels inside each pool; H and W must be multiples of the
 * pool edge, UserError otherwise), damaged there and put back, so a rectangle erases scattered cells.
 * All random draws come from `generator` (may be undefined for the default generator of cipher's
 * device), so that training is reproducible with a seed; a CPU generator also serves a CUDA cipher
 * (the draws are made on the generator's device and moved). Gradients flow through the undamaged
 * pixels (and through the noised ones, where not clamped). Throws UserError for options outside
 * their ranges (probability and fractions in [0, 1], sigma >= 0). */
torch::Tensor
SimulateAttacks(const torch::Tensor & cipher, const AttackSimulationOptions & options, at::Generator generator = {});

/** SimulateAttacks' damaged ciphertexts (the same random draws, so the same values) and what cipher format
 * version 4's pool digests tell decryption about them: `authentic` [B, 1, H, W] is 1 on the pixels of
 * the pools (options.permutedLayout's pool edge, in the stored layout, mapped back to the network's) in
 * which no pixel changed, and 0 on every pixel of a pool with a changed pixel; without permutedLayout it
 * is 0 on the changed pixels alone. Unattacked images are 1 everywhere. */
struct SimulatedAttacks
{
  torch::Tensor damaged;
  torch::Tensor authentic;
};

SimulatedAttacks
SimulateAttacksWithAuthenticPools(const torch::Tensor & cipher,
                                  const AttackSimulationOptions & options,
                                  at::Generator generator = {});

} // namespace medcrypt

#endif

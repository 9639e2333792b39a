#ifndef medcrypt_TrainingOptions_h
#define medcrypt_TrainingOptions_h

// The options of training (paper III.C) and of its data augmentation: plain data, free of LibTorch.

#include "medcrypt/AttackSimulation.h"
#include "medcrypt/ModelConfig.h"

#include <cstdint>
#include <string>

namespace medcrypt
{

/** Augmentations applied to each crop, in this order: a zoom (the crop is cut from a window of
 * crop / s pixels and resampled), flips, 90-degree turns, an intensity window, Gaussian noise,
 * quantisation to a random bit depth. */
struct AugmentationOptions
{
  // With this probability the crop is resampled by a zoom factor s (output pixels per input pixel),
  // log-uniform in [minZoom, maxZoom], as `medcrypt evaluate` resamples an image to its tile (bilinear,
  // no smoothing): s < 1 packs more detail into each pixel, as in a 512 x 512 slice evaluated at 256.
  // The window never exceeds the image, so a small image limits how far it can be shrunk. 0: off, and
  // the random stream is exactly that of the options without zoom.
  double zoomProbability = 0.0;
  double minZoom = 0.5;
  double maxZoom = 1.0;
  bool flips = true;              // horizontal and vertical, each with probability 1/2
  bool turns = true;              // 0, 90, 180 or 270 degrees
  double windowProbability = 0.5; // x <- clamp((x - lo) / (hi - lo)), lo in [0, 0.4], hi in [0.6, 1]
  double noiseProbability = 0.5;  // add N(0, s^2), s uniform in [0, maxNoiseSigma]
  double maxNoiseSigma = 0.01;
  int minBits = 8; // quantise to b bits, b uniform in [minBits, maxBits]
  int maxBits = 16;
};

/** Everything that steers training besides the network's configuration. */
struct TrainerOptions
{
  int cropSize = 64;                 // random square crops; a multiple of r = 2^L
  int batchSize = 4;                 // paper: 4
  double learningRate = 1e-4;        // AdamW (paper)
  double weightDecay = 1e-2;         // AdamW's decoupled weight decay (LibTorch's default; the paper gives none)
  double decayPerEpoch = 0.9;        // lr <- lr * 0.9 after every epoch (paper)
  std::int64_t epochSteps = 2000;    // steps per "epoch" (the data are crops, so an epoch is a step count)
  std::int64_t totalSteps = 10000;   // both phases together
  std::int64_t pretrainSteps = 2000; // the first steps: phase 1 (autoencoder, no key fusion)
  std::uint64_t seed = 1;            // fixes initial weights, data stream, keys and attacks
  int wrongKeyImages = 2;            // m = n of the wrong-key matrix (Eq. 23), at most the batch size
  // lambda_e of Eq. 25. The paper uses 1; with these losses the wrong-key matrix's histogram term
  // (about 200 for an image-like decryption) then drives the shared decoder to noise for every key
  // (measured on the tiny preset: reconstruction L1 0.29 instead of 0.03). 0.01 keeps wrong-key
  // decryptions noise-like while the right key reconstructs; see docs/design.md.
  double wrongKeyWeight = 0.01;
  std::int64_t wrongKeyWarmupSteps = 0; // lambda_e ramps up linearly over the first steps of phase 2
  // lambda_d of Eq. 24 (NPCR/UACI between the ciphertexts of an image and its one-pixel twin). The paper
  // uses 0.1; at that weight the CPU-trained model settles on a key-independent texture (UACI under 1%),
  // so the default model's later training raises it (docs/design.md, model/MODEL_CARD.md).
  double diffusionWeight = 0.1;
  // lambda_l1 of Eq. 25, the weight of the right-key decryption's L1 error (the paper's 1). A joint run
  // raises it so that the encoder's gradient is mostly the decryption of damaged ciphertexts rather than
  // the ciphertext statistics, which the keyed permutation and the calibration already give.
  double reconstructionWeight = 1.0;
  // Weight of 1 - SSIM of the right-key decryption (losses::LossWeights::structure; not in the paper), in
  // joint and decryption-only runs alike: L1 alone leaves the SSIM row of scheme.md section 7 furthest
  // from its target. 0: no such term.
  double structureWeight = 0.0;
  // Share of the diffusion twins that keep the plaintext and change one level's feature key alone
  // (MakeTwins), so that each x0 on its own diffuses (the paper's key sensitivity, Table 5). 0: every
  // twin is a one-pixel change with all keys new, as before this option existed.
  double singleLevelTwins = 0.0;
  // Weight of |corr(C, C')| between an image's ciphertext and its twin's (losses::TwinCorrelationLoss,
  // not in the paper; 0: Eq. 24 as published). See docs/design.md.
  double twinCorrelationWeight = 0.0;
  // Weight of losses::BatchHistogramLoss on the ciphertexts (not in the paper; 0: Eq. 24 as published).
  double batchHistogramWeight = 0.0;
  // Weight of losses::ContractionLoss in joint steps (not in the paper; 0: off): the gain
  // rms(E(D(C)) - C) / rms(D(C) - x) of each crop, the encoder's response along the decoder's own error,
  // held above conditioningFloor, so that the encoder stops hiding detail in directions it contracts
  // (docs/design.md, "a conditioning term"). Costs one more encryption and one decoding per step.
  double conditioningWeight = 0.0;
  double conditioningFloor = 0.1;
  // L-BFGS iterations of FitEncryption (E(x') = C, from x' = D(C)) before the conditioning term measures the
  // gain: 0 holds it along the decoder's first error, K > 0 along the fit's error x' - x, which the fit
  // drives into the directions the encoder contracts (docs/design.md). Each iteration costs one encryption
  // and its input gradient, or a few where the line search needs them.
  int conditioningFitIterations = 0;
  // L_diff on the pooled ranks of the batch's ciphertexts (losses::LossWeights::diffusionOnRanks; not in
  // the paper; false: Eq. 24 as published).
  bool diffusionOnRanks = false;
  // TwinCorrelationLoss on the same ranks (losses::LossWeights::twinCorrelationOnRanks; false: on values).
  bool twinCorrelationOnRanks = false;
  // L_c on the same ranks (losses::LossWeights::correlationOnRanks; false: on values).
  bool correlationOnRanks = false;
  AttackSimulationOptions attacks; // damage done to the ciphertexts before decryption (guideline 2)
  // Fine-tuning: start from the weights of this model file (same configuration) instead of random ones.
  std::string initialModelPath;
  // Phase 2 trains only the parameters that decryption alone uses (CipherNet::decryptionOnlyParameters):
  // every ciphertext, and so every ciphertext statistic, stays exactly as the starting model makes it,
  // while network-only decryption improves. Needs pretrainSteps = 0 and trained weights (--init or resume).
  bool decryptionOnly = false;
  // With decryptionOnly: the L1 error of the decryption refined by this many defect-correction steps
  // (DefectCorrectionStep, as medcrypt decrypt refines an intact ciphertext) is added to Eq. 25 for the
  // ciphertexts the attack simulation left intact, so the decoder learns the refined decryption it
  // serves, not only its first estimate. 0: Eq. 25 alone.
  int refinementTrainingSteps = 0;
  // With refinementTrainingSteps: weight of 1 - SSIM (losses::StructuralSimilarity) of that refined
  // decryption against the plaintext, over the same intact ciphertexts; aimed at the SSIM row of
  // scheme.md section 7, which L1 alone leaves furthest from its target. 0: no such term.
  double refinedStructureWeight = 0.0;
  // With refinementTrainingSteps and attacks.permutedLayout: the L1 error of the attacked ciphertexts'
  // decryption refined as cipher format version 4 refines it (changed pools out, the rest corrected;
  // AuthenticDefectCorrectionStep) is added too, so that the decoder learns what format 4 serves.
  bool refineAttackedWhereIntact = false;
  std::string device = "cpu";         // "cpu", "cuda" or "cuda:N"
  std::string checkpointPath;         // empty: no checkpoints
  std::int64_t checkpointEvery = 500; // steps between checkpoints (and one at the end)
  // Non-empty: the model is also written at every checkpoint step, as snapshotDirectory/step-NNNNNNN.mcmodel
  // (float32, the step zero-padded to 7 digits so that names sort by step), for averaging (medcrypt average).
  std::string snapshotDirectory;
  std::int64_t progressEvery = 50; // steps between progress lines
  AugmentationOptions augmentation;

  /** Throws UserError for inconsistent options (crop not a multiple of r, batch < 1, ...). */
  void
  Validate(const ModelConfig & config) const;
};

} // namespace medcrypt

#endif

#ifndef medcrypt_Losses_h
#define medcrypt_Losses_h

// The paper's loss functions (section III.B, Eq. 7-25) on LibTorch tensors. Every function is
// differentiable with respect to its image or parameter arguments. Images are float tensors of shape
// [B, 1, H, W] with values in [0, 1] (the network's sigmoid output); "per image" results have shape [B];
// scalar losses are means over the batch unless stated otherwise.

#include <torch/torch.h>

#include <utility>
#include <vector>

namespace medcrypt::losses
{

/** The paper's loss weights (section III.B and III.C). */
struct LossWeights
{
  double histogram = 1.0;        // lambda_hist   (L_stats)
  double entropy = 0.125;        // lambda_ent    (L_stats)
  double correlation = 1.0;      // lambda_cor    (L_c)
  double histogram2d = 1.0;      // lambda_2d     (L_c)
  double npcr = 0.1;             // lambda_N      (L_diff)
  double uaci = 0.1;             // lambda_U      (L_diff)
  double stats = 1.0;            // lambda_s      (Eq. 24)
  double correlationTotal = 1.0; // lambda_c      (Eq. 24)
  double diffusion = 0.1;        // lambda_d      (Eq. 24)
  double dissimilarity = 0.25;   // lambda_cos    (Eq. 24)
  double wrongKey = 1.0;         // lambda_e      (Eq. 25)
  double similarity = 0.5;       // lambda_sim    (Eq. 25)
  double reconstruction = 1.0;   // lambda_l1     (Eq. 25)
  // Not in the paper: weight of 1 - SSIM (StructuralSimilarity) of the right-key decryption, beside its L1
  // error in Eq. 25. 0 keeps Eq. 25 as published; see docs/design.md ("Training").
  double structure = 0.0;
  // Not in the paper: weight of |corr(C, C')| between the ciphertexts of an image and its diffusion twin
  // (TwinCorrelationLoss). 0 keeps Eq. 24 as published; see docs/design.md for why the default model uses it.
  double twinCorrelation = 0.0;
  // Not in the paper: weight of BatchHistogramLoss, the histogram loss of Eq. 7 over every value of the
  // batch at once. 0 keeps Eq. 24 as published; see docs/design.md ("output calibration").
  double batchHistogram = 0.0;
  // Not in the paper: compute L_diff (Eq. 18-20) on the ranks of the ciphertexts rather than their values:
  // both ciphertexts of every pair pass through the map that makes the batch's ciphertext values uniform
  // (FitOutputCalibration of the batch, knots held fixed) before NPCR and UACI are taken. A histogram shape
  // that every image shares then cannot raise UACI; only ciphertexts less alike than their twins' can.
  // false keeps Eq. 24 as published; see docs/design.md ("output calibration").
  bool diffusionOnRanks = false;
  // Not in the paper: compute TwinCorrelationLoss on the same ranks (a Spearman correlation). A shared map
  // towards 0 and 1 lowers the Pearson correlation of positively correlated twins, so on values that loss,
  // too, is paid by a histogram shape; on ranks it is not. false: on the values, as every earlier run.
  bool twinCorrelationOnRanks = false;
  // Not in the paper: compute L_c (Eq. 12-15, adjacent-pixel correlation and 2-D histogram) on the same
  // ranks of the ciphertext. Saturation lowers the Pearson correlation of positively correlated neighbours
  // just as it does for twins, and the 2-D histogram on ranks sees only how neighbours depend on each other,
  // not the marginal histogram (which L_stats sees). false: on the values, as every earlier run.
  bool correlationOnRanks = false;
  // epsilon of Eq. 20 on the [0, 1] scale of UACI() below. The paper's ideal 33.4635% is the UACI of two
  // independent uniform 8-bit images ((256^2 - 1) / (3 * 256) / 255). The 8-bit view of a [0, 1] cipher is
  // floor(256 c), whose UACI is the same 33.4635% exactly when the [0, 1] mean |C1 - C2| is 1/3 (its value for
  // two independent uniform images), so 1/3 is the ideal here; 0.334635 would push the 8-bit UACI to 33.60%.
  double uaciTarget = 1.0 / 3.0;
  double dissimilarityThreshold = 0.0; // epsilon of Eq. 21
  int histogramBins = 256;             // N of Eq. 7-9
  int histogram2dBins = 8;             // N of Eq. 15
};

enum class Direction
{
  Horizontal,
  Vertical,
  Diagonal
};

/** Eq. 7 (the histogram part): differentiable histogram by linear interpolation between bin centres
 * (a value c between centres a and b counts (b - c) / (b - a) at a and (c - a) / (b - a) at b;
 * Ustinova and Lempitsky). Bin k has its centre at (k + 0.5) / bins, the centre of the 8-bit level k
 * of the cipher's 8-bit view floor(256 c) when bins = 256; a value below the first centre (or above
 * the last) counts fully to the first (last) bin. With these centres a uniform [0, 1] variable has the
 * same expected count W H / bins in every bin (centres at k / (bins - 1) would give the two end bins
 * half of it). The derivative of a count with respect to a value is +-bins between two centres and 0
 * within half a bin of 0 or 1.
 * x: [B, 1, H, W] in [0, 1] -> [B, bins] counts (each row sums to H * W). */
torch::Tensor
SoftHistogram(const torch::Tensor & x, int bins);

/** Eq. 15 (the histogram part): differentiable 2-D histogram of the horizontally adjacent pairs
 * (x(i, j), x(i, j + 1)), each pair spread over the four surrounding bin centres with the product of
 * the linear weights of SoftHistogram (same centres). x: [B, 1, H, W] -> [B, bins, bins], index
 * [pixel bin][right neighbour bin], each matrix sums to H (W - 1). */
torch::Tensor
SoftHistogram2D(const torch::Tensor & x, int bins);

/** Eq. 7: mean over bins of (H(x) - W H / N)^2, divided by (W H / N)^2 so that the loss does not
 * grow with the tile size (the paper's scale for a fixed size is a constant factor: (W H / N)^2 = 65536
 * for 256 x 256 and N = 256). This is the mean of (N p_k - 1)^2 with p the normalised histogram. Its
 * floor, the sampling noise of an ideal uniform image of W H pixels, is about (N / (W H)) (2/3 - 1 / N)
 * (0.0026 for 256 x 256 and N = 256; 2/3 instead of 1 because the soft counts vary less than hard
 * ones). Mean over batch. */
torch::Tensor
HistogramLoss(const torch::Tensor & x, int bins);

/** Eq. 8: Shannon entropy (bits) of the normalised soft histogram. 0 log 0 counts 0 and its gradient
 * stays finite (the logarithm's argument is clamped at 1e-12). For a uniform random 256 x 256 image
 * and 256 bins it is about 7.998, slightly above the hard 8-bit histogram's 7.997 (soft counts vary
 * less). -> [B]. */
torch::Tensor
Entropy(const torch::Tensor & x, int bins);

/** Eq. 9: log2(bins) - entropy (8 - entropy for 256 bins). Mean over batch. */
torch::Tensor
EntropyLoss(const torch::Tensor & x, int bins);

/** L_stats = lambda_hist L_hist + lambda_ent L_ent. */
torch::Tensor
StatsLoss(const torch::Tensor & x, const LossWeights & weights = {});

/** Eq. 10-13: Pearson correlation of all adjacent pixel pairs in one direction (horizontal: right
 * neighbour, vertical: neighbour below, diagonal: neighbour below right). Each variance D gets 1e-6
 * added before the square root (a standard deviation of 0.001, a quarter of an 8-bit level): a constant
 * image then has r = 0 with finite (zero) gradients instead of 0 / 0, and r of a uniform image moves by
 * a relative 1e-5 only. -> [B]. */
torch::Tensor
AdjacentCorrelation(const torch::Tensor & x, Direction direction);

/** Eq. 14: |r_H| + |r_V| + |r_D|, mean over batch. */
torch::Tensor
CorrelationLoss(const torch::Tensor & x);

/** Eq. 15: soft 2-D histogram (SoftHistogram2D) of (pixel, right neighbour) pairs with N x N bins, sum
 * (not mean, as in Eq. 15) over the N^2 cells of the squared deviations from the uniform count
 * P / N^2, divided by (P / N^2)^2 with P = H (W - 1) pairs (scale-free as Eq. 7; the paper's scale for
 * 256 x 256 and N = 8 is (65280 / 64)^2 = 1020^2 times this). That is the sum of (N^2 q_xy - 1)^2 with q
 * the normalised 2-D histogram; its floor for a uniform random image is about (4/9) N^4 / P (0.028 for
 * 256 x 256 and N = 8). Mean over batch. */
torch::Tensor
Histogram2DLoss(const torch::Tensor & x, int bins);

/** L_c = lambda_cor L_cor + lambda_2d L_2d. */
torch::Tensor
CorrelationTotalLoss(const torch::Tensor & x, const LossWeights & weights = {});

/** Eq. 16-17 made differentiable: D(i, j) = tanh(|C1 - C2| * sharpness), 0 for equal pixels and
 * about 1 once two values differ by one 8-bit level (1/256): tanh(1000 / 256) = 0.9992 for the default
 * sharpness 1000 (tanh(3) = 0.995 at sharpness 768). It is a training signal, not the metric: for two
 * independent uniform images its mean is 1 - 2 ln 2 / sharpness (0.99861 at 1000) where the hard 8-bit
 * NPCR is 1 - 1/256 = 0.99609 (the two agree at sharpness 512 ln 2 = 354.9). The gradient is sharpness
 * (1 - D^2) sign(C1 - C2), 0 where C1 = C2 exactly. -> [B] NPCR in [0, 1]. */
torch::Tensor
SoftNPCR(const torch::Tensor & c1, const torch::Tensor & c2, double sharpness = 1000.0);

/** Eq. 18: 1 - SoftNPCR (default sharpness), mean over batch. */
torch::Tensor
NPCRLoss(const torch::Tensor & c1, const torch::Tensor & c2);

/** Eq. 19: mean |C1 - C2| (images in [0, 1], so the division by the largest value is done; 1/3 for two
 * independent uniform images, see LossWeights::uaciTarget for the 8-bit view). -> [B]. */
torch::Tensor
UACI(const torch::Tensor & c1, const torch::Tensor & c2);

/** Eq. 20: |target - UACI|, mean over batch. */
torch::Tensor
UACILoss(const torch::Tensor & c1, const torch::Tensor & c2, double target);

/** L_diff = lambda_N L_NPCR + lambda_U L_UACI. */
torch::Tensor
DiffusionLoss(const torch::Tensor & c1, const torch::Tensor & c2, const LossWeights & weights = {});

/** Pearson correlation, per image, of all the pixels of c1 with the same pixels of c2 (not in the paper).
 * The ciphertexts of an image and of its diffusion twin (new feature keys) should be independent; NPCR
 * and UACI alone do not say so: a U-shaped histogram reaches the UACI target 1/3 while part of the
 * ciphertext is the same for every key. Each variance gets 1e-6 added before the square root, as in
 * AdjacentCorrelation, so constant images give r = 0 with finite gradients. -> [B] in [-1, 1]. */
torch::Tensor
TwinCorrelation(const torch::Tensor & c1, const torch::Tensor & c2);

/** |TwinCorrelation(c1, c2)|, mean over batch. */
torch::Tensor
TwinCorrelationLoss(const torch::Tensor & c1, const torch::Tensor & c2);

/** Eq. 21: sum over levels i of max(eps, cos(alpha_i, EP_i)); alpha_i and EP_i are [B, C_i] (any
 * [B, ...] shape is flattened per image); the cosine and the max are taken per image and averaged over
 * the batch. */
torch::Tensor
DissimilarityLoss(const std::vector<torch::Tensor> & alphas,
                  const std::vector<torch::Tensor> & encrypted,
                  double threshold);

/** Eq. 22: sum over levels i of (1 - cos(alpha_i, INNR(EP_i))), mean over batch. */
torch::Tensor
SimilarityLoss(const std::vector<torch::Tensor> & alphas, const std::vector<torch::Tensor> & recovered);

/** Eq. 23: wrong-key loss matrix. decrypted: [m, n, 1, H, W], image i decrypted with key j; plain:
 * [m, 1, H, W]; noise: [m, n, 1, H, W] uniform noise. M_ij = ||x_hat_ij - noise_ij||_1 (mean) +
 * L_stats(x_hat_ij) + L_diff(x_hat_ij, x_i); returns the sum over i != j (the diagonal, the right key,
 * is excluded by (1 - I)) divided by the number of off-diagonal entries. */
torch::Tensor
WrongKeyLoss(const torch::Tensor & decrypted,
             const torch::Tensor & plain,
             const torch::Tensor & noise,
             const LossWeights & weights = {});

/** The histogram loss of Eq. 7 (HistogramLoss) over all values of the batch x [B, 1, H, W] pooled, as one
 * image: a histogram shape that every image of the batch shares is measured against the sampling noise
 * of B H W values rather than of H W (for 4 x 128 x 128 and 256 bins the floor falls from about 0.016 to
 * 0.004), so training can see it. Not in the paper. -> scalar. */
torch::Tensor
BatchHistogramLoss(const torch::Tensor & x, int bins = 256);

/** c1 and c2 [B, 1, H, W] mapped by the rising piecewise-linear map that makes the values of both, pooled,
 * uniform on [0, 1] (FitOutputCalibration of their detached values, then ApplyOutputCalibration): each value
 * becomes about its rank among the 2 B H W values, divided by their number. Differentiable in c1 and c2 with
 * the map held fixed. Not in the paper. -> {F(c1), F(c2)}. */
std::pair<torch::Tensor, torch::Tensor>
PooledRanks(const torch::Tensor & c1, const torch::Tensor & c2);

/** The parts of Eq. 24 and their weighted sum. */
struct EncryptionLossTerms
{
  torch::Tensor stats, correlation, diffusion, dissimilarity, twinCorrelation, batchHistogram, total;
};

/** Eq. 24: lambda_s L_stats(C) + lambda_c L_c(C) + lambda_d L_diff(C, C') + lambda_cos L_disim(alpha, EP),
 * where C' is the ciphertext of the plaintext with changed pixels, plus (not in the paper)
 * weights.twinCorrelation * TwinCorrelationLoss(C, C') and weights.batchHistogram * BatchHistogramLoss(C); both
 * terms are computed and reported even at weight 0. With weights.diffusionOnRanks (twinCorrelationOnRanks,
 * correlationOnRanks), L_diff (the twin correlation, L_c) is taken on PooledRanks(C, C') instead of C and C'. */
EncryptionLossTerms
EncryptionLoss(const torch::Tensor & cipher,
               const torch::Tensor & cipherChanged,
               const std::vector<torch::Tensor> & alphas,
               const std::vector<torch::Tensor> & encrypted,
               const LossWeights & weights = {});

/** The parts of Eq. 25 and their weighted sum. */
struct DecryptionLossTerms
{
  torch::Tensor wrongKey, similarity, reconstruction, structure, total;
};

/** Eq. 25: lambda_e L_error + lambda_sim L_sim + lambda_l1 ||x_hat - x||_1 (mean absolute error), plus
 * weights.structure (1 - mean SSIM of x_hat and x), which is computed only when that weight is above 0
 * (structure is 0 otherwise). wrongKey may be an undefined tensor (no wrong-key batch this step): the
 * term then counts 0. */
DecryptionLossTerms
DecryptionLoss(const torch::Tensor & wrongKey,
               const std::vector<torch::Tensor> & alphas,
               const std::vector<torch::Tensor> & recovered,
               const torch::Tensor & decrypted,
               const torch::Tensor & plain,
               const LossWeights & weights = {});

/** Not in the paper: the mean structural similarity of each image pair, in the form of
 * itk::StructuralSimilarityCalculator (Wang et al. 2004): an 11 x 11 Gaussian window of sigma 1.5
 * (weights summing to 1), the mean over the window positions wholly inside the image, K1 = 0.01,
 * K2 = 0.03 and data range 1 (the [0, 1] scale of the images). Differentiable in x and y; the training
 * loss is 1 - SSIM (TrainerOptions::refinedStructureWeight).
 * x, y: [B, 1, H, W] with H, W >= 11 -> [B]. */
torch::Tensor
StructuralSimilarity(const torch::Tensor & x, const torch::Tensor & y);

/** Not in the paper: how far the encoder contracts a change of its input, for the joint loss's
 * conditioning term (TrainerOptions::conditioningWeight). Per image b, the gain
 *     g_b = rms(shiftedCipher_b - cipher_b) / rms(shiftedPlain_b - plain_b),
 * and the loss is the batch mean of max(0, log(floor) - log(g_b)): 0 once every image's gain reaches
 * `floor`, growing as the log of the shortfall below it. An image whose plaintext change is under 1e-6
 * rms contributes 0. The trainer passes shiftedPlain = D(C), the decoder's estimate, so that the change
 * is the decoder's own error: the directions that the encoder contracts most are the ones it misses
 * (model/MODEL_CARD.md, session 28).
 * All [B, 1, H, W] -> scalar; differentiable in both ciphertexts. */
torch::Tensor
ContractionLoss(const torch::Tensor & shiftedCipher,
                const torch::Tensor & cipher,
                const torch::Tensor & shiftedPlain,
                const torch::Tensor & plain,
                double floor);

} // namespace medcrypt::losses

#endif

// The paper's loss functions (section III.B, Eq. 7-25); see Losses.h for the definitions and scales.
#include "medcrypt/Losses.h"

#include "medcrypt/Error.h"
#include "medcrypt/OutputCalibration.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <tuple>
#include <utility>

namespace medcrypt::losses
{
namespace
{

// Added to each variance of Eq. 12 before the square root of Eq. 10 (see AdjacentCorrelation).
constexpr double kVarianceEpsilon = 1e-6;
// Lower bound of the probability inside the logarithm of Eq. 8, so that d(p log p)/dp stays finite.
constexpr double kProbabilityFloor = 1e-12;
// Guards the norms of the cosine similarity of Eq. 21-22 against zero vectors.
constexpr double kCosineEpsilon = 1e-8;

void
CheckBins(int bins, const char * what)
{
  if (bins < 2)
  {
    throw UserError(std::string("the number of ") + what + " bins must be at least 2 (got " + std::to_string(bins) +
                    "); set the loss configuration's bin count to 2 or more");
  }
}

void
CheckImages(const torch::Tensor & x, const char * what)
{
  TORCH_CHECK(x.defined() && x.dim() == 4, what, " must be a [B, C, H, W] tensor, got ", x.sizes());
  TORCH_CHECK(x.is_floating_point(), what, " must be a floating-point tensor, got ", x.scalar_type());
}

/** The number of values of one image of a checked [B, C, H, W] tensor. */
double
ValuesPerImage(const torch::Tensor & x)
{
  return static_cast<double>(x.size(1) * x.size(2) * x.size(3));
}

void
CheckSameShape(const torch::Tensor & a, const torch::Tensor & b, const char * what)
{
  CheckImages(a, what);
  TORCH_CHECK(
    a.sizes() == b.sizes(), what, ": both images must have the same shape, got ", a.sizes(), " and ", b.sizes());
}

/** Linear interpolation of each value between the two nearest bin centres (k + 0.5) / bins: the value
 * counts 1 - upperWeight at bin `lower` and upperWeight at bin `upper`. Outside the first and last
 * centres both indices are clamped to the end bin, so the value counts fully there. */
struct BinInterpolation
{
  torch::Tensor lower, upper; // int64 bin indices, same shape as the values
  torch::Tensor upperWeight;  // in [0, 1), differentiable with respect to the values
};

BinInterpolation
InterpolateBins(const torch::Tensor & values, int bins)
{
  // Position in units of bins with centre k at position k.
  const torch::Tensor position = values * static_cast<double>(bins) - 0.5;
  const torch::Tensor lowerCentre = torch::floor(position).detach();
  BinInterpolation result;
  result.upperWeight = position - lowerCentre;
  result.lower = lowerCentre.to(torch::kLong).clamp(0, bins - 1);
  result.upper = (lowerCentre + 1.0).to(torch::kLong).clamp(0, bins - 1);
  return result;
}

/** The pairs (first, second) of adjacent pixels in one direction, each flattened to [B, pairs]. */
std::pair<torch::Tensor, torch::Tensor>
AdjacentPairs(const torch::Tensor & x, Direction direction)
{
  using torch::indexing::None;
  using torch::indexing::Slice;
  const auto all = Slice();
  const auto allButLast = Slice(None, -1);
  const auto allButFirst = Slice(1, None);
  switch (direction)
  {
    case Direction::Horizontal:
      return { x.index({ all, all, all, allButLast }).flatten(1), x.index({ all, all, all, allButFirst }).flatten(1) };
    case Direction::Vertical:
      return { x.index({ all, all, allButLast, all }).flatten(1), x.index({ all, all, allButFirst, all }).flatten(1) };
    case Direction::Diagonal:
      return { x.index({ all, all, allButLast, allButLast }).flatten(1),
               x.index({ all, all, allButFirst, allButFirst }).flatten(1) };
  }
  TORCH_CHECK(false, "unknown correlation direction");
}

// Per-image versions ([B]) of the batch-averaged losses, shared by the public losses and Eq. 23.

torch::Tensor
HistogramLossPerImage(const torch::Tensor & x, int bins)
{
  const torch::Tensor histogram = SoftHistogram(x, bins);
  const double uniformCount = ValuesPerImage(x) / bins;
  return (histogram / uniformCount - 1.0).square().mean(1);
}

torch::Tensor
EntropyLossPerImage(const torch::Tensor & x, int bins)
{
  return std::log2(static_cast<double>(bins)) - Entropy(x, bins);
}

torch::Tensor
StatsPerImage(const torch::Tensor & x, const LossWeights & weights)
{
  return weights.histogram * HistogramLossPerImage(x, weights.histogramBins) +
         weights.entropy * EntropyLossPerImage(x, weights.histogramBins);
}

torch::Tensor
DiffusionPerImage(const torch::Tensor & c1, const torch::Tensor & c2, const LossWeights & weights)
{
  return weights.npcr * (1.0 - SoftNPCR(c1, c2)) + weights.uaci * (weights.uaciTarget - UACI(c1, c2)).abs();
}

/** Per-image cosine similarity of two [B, ...] tensors, each flattened per image. */
torch::Tensor
CosinePerImage(const torch::Tensor & a, const torch::Tensor & b)
{
  TORCH_CHECK(a.defined() && b.defined() && a.dim() >= 1 && a.numel() == b.numel() && a.size(0) == b.size(0),
              "cosine similarity needs two [B, ...] tensors of the same size, got ",
              a.sizes(),
              " and ",
              b.sizes());
  namespace F = torch::nn::functional;
  return F::cosine_similarity(a.flatten(1), b.flatten(1), F::CosineSimilarityFuncOptions().dim(1).eps(kCosineEpsilon));
}

void
CheckLevels(const std::vector<torch::Tensor> & first, const std::vector<torch::Tensor> & second, const char * what)
{
  TORCH_CHECK(!first.empty() && first.size() == second.size(),
              what,
              " needs the same, non-zero number of levels on both sides, got ",
              first.size(),
              " and ",
              second.size());
}

} // namespace

torch::Tensor
SoftHistogram(const torch::Tensor & x, int bins)
{
  CheckBins(bins, "histogram");
  CheckImages(x, "SoftHistogram input");
  const torch::Tensor values = x.flatten(1);
  const BinInterpolation interpolation = InterpolateBins(values, bins);
  const torch::Tensor empty = torch::zeros({ values.size(0), bins }, values.options());
  return empty.scatter_add(1, interpolation.lower, 1.0 - interpolation.upperWeight)
    .scatter_add(1, interpolation.upper, interpolation.upperWeight);
}

torch::Tensor
SoftHistogram2D(const torch::Tensor & x, int bins)
{
  CheckBins(bins, "2-D histogram");
  CheckImages(x, "SoftHistogram2D input");
  TORCH_CHECK(x.size(3) >= 2, "SoftHistogram2D needs images at least 2 pixels wide, got ", x.sizes());
  const auto [pixels, neighbours] = AdjacentPairs(x, Direction::Horizontal);
  const BinInterpolation first = InterpolateBins(pixels, bins);
  const BinInterpolation second = InterpolateBins(neighbours, bins);
  const torch::Tensor firstLowerWeight = 1.0 - first.upperWeight;
  const torch::Tensor secondLowerWeight = 1.0 - second.upperWeight;
  // Cell (i, j) of the bins x bins matrix, flattened row-major.
  const auto cell = [bins](const torch::Tensor & i, const torch::Tensor & j) { return i * bins + j; };
  const torch::Tensor empty = torch::zeros({ pixels.size(0), bins * bins }, x.options());
  return empty.scatter_add(1, cell(first.lower, second.lower), firstLowerWeight * secondLowerWeight)
    .scatter_add(1, cell(first.lower, second.upper), firstLowerWeight * second.upperWeight)
    .scatter_add(1, cell(first.upper, second.lower), first.upperWeight * secondLowerWeight)
    .scatter_add(1, cell(first.upper, second.upper), first.upperWeight * second.upperWeight)
    .view({ pixels.size(0), bins, bins });
}

torch::Tensor
HistogramLoss(const torch::Tensor & x, int bins)
{
  return HistogramLossPerImage(x, bins).mean();
}

torch::Tensor
Entropy(const torch::Tensor & x, int bins)
{
  const torch::Tensor histogram = SoftHistogram(x, bins);
  const torch::Tensor probability = histogram / ValuesPerImage(x);
  return -(probability * torch::log2(probability.clamp_min(kProbabilityFloor))).sum(1);
}

torch::Tensor
EntropyLoss(const torch::Tensor & x, int bins)
{
  return EntropyLossPerImage(x, bins).mean();
}

torch::Tensor
StatsLoss(const torch::Tensor & x, const LossWeights & weights)
{
  return StatsPerImage(x, weights).mean();
}

torch::Tensor
AdjacentCorrelation(const torch::Tensor & x, Direction direction)
{
  CheckImages(x, "AdjacentCorrelation input");
  TORCH_CHECK(
    x.size(2) >= 2 && x.size(3) >= 2, "AdjacentCorrelation needs images of at least 2 x 2 pixels, got ", x.sizes());
  const auto [first, second] = AdjacentPairs(x, direction);
  const torch::Tensor firstDeviation = first - first.mean(1, true);
  const torch::Tensor secondDeviation = second - second.mean(1, true);
  const torch::Tensor covariance = (firstDeviation * secondDeviation).mean(1);
  const torch::Tensor firstVariance = firstDeviation.square().mean(1) + kVarianceEpsilon;
  const torch::Tensor secondVariance = secondDeviation.square().mean(1) + kVarianceEpsilon;
  return covariance / (firstVariance.sqrt() * secondVariance.sqrt());
}

torch::Tensor
CorrelationLoss(const torch::Tensor & x)
{
  return (AdjacentCorrelation(x, Direction::Horizontal).abs() + AdjacentCorrelation(x, Direction::Vertical).abs() +
          AdjacentCorrelation(x, Direction::Diagonal).abs())
    .mean();
}

torch::Tensor
Histogram2DLoss(const torch::Tensor & x, int bins)
{
  const torch::Tensor histogram = SoftHistogram2D(x, bins).flatten(1);
  const double pairs = static_cast<double>(x.size(1) * x.size(2) * (x.size(3) - 1));
  const double uniformCount = pairs / (static_cast<double>(bins) * bins);
  return (histogram / uniformCount - 1.0).square().sum(1).mean();
}

torch::Tensor
CorrelationTotalLoss(const torch::Tensor & x, const LossWeights & weights)
{
  return weights.correlation * CorrelationLoss(x) + weights.histogram2d * Histogram2DLoss(x, weights.histogram2dBins);
}

torch::Tensor
SoftNPCR(const torch::Tensor & c1, const torch::Tensor & c2, double sharpness)
{
  if (!(sharpness > 0.0) || !std::isfinite(sharpness))
  {
    throw UserError("the soft NPCR sharpness must be a positive number (got " + std::to_string(sharpness) + ")");
  }
  CheckSameShape(c1, c2, "SoftNPCR");
  return torch::tanh((c1 - c2).abs() * sharpness).flatten(1).mean(1);
}

torch::Tensor
NPCRLoss(const torch::Tensor & c1, const torch::Tensor & c2)
{
  return (1.0 - SoftNPCR(c1, c2)).mean();
}

torch::Tensor
UACI(const torch::Tensor & c1, const torch::Tensor & c2)
{
  CheckSameShape(c1, c2, "UACI");
  return (c1 - c2).abs().flatten(1).mean(1);
}

torch::Tensor
UACILoss(const torch::Tensor & c1, const torch::Tensor & c2, double target)
{
  return (target - UACI(c1, c2)).abs().mean();
}

torch::Tensor
DiffusionLoss(const torch::Tensor & c1, const torch::Tensor & c2, const LossWeights & weights)
{
  return DiffusionPerImage(c1, c2, weights).mean();
}

torch::Tensor
TwinCorrelation(const torch::Tensor & c1, const torch::Tensor & c2)
{
  CheckSameShape(c1, c2, "TwinCorrelation");
  const torch::Tensor x = c1.flatten(1);
  const torch::Tensor y = c2.flatten(1);
  const torch::Tensor dx = x - x.mean(1, true);
  const torch::Tensor dy = y - y.mean(1, true);
  const torch::Tensor covariance = (dx * dy).mean(1);
  return covariance / ((dx.square().mean(1) + 1e-6).sqrt() * (dy.square().mean(1) + 1e-6).sqrt());
}

torch::Tensor
TwinCorrelationLoss(const torch::Tensor & c1, const torch::Tensor & c2)
{
  return TwinCorrelation(c1, c2).abs().mean();
}

torch::Tensor
DissimilarityLoss(const std::vector<torch::Tensor> & alphas,
                  const std::vector<torch::Tensor> & encrypted,
                  double threshold)
{
  CheckLevels(alphas, encrypted, "DissimilarityLoss");
  torch::Tensor total = CosinePerImage(alphas[0], encrypted[0]).clamp_min(threshold).mean();
  for (std::size_t level = 1; level < alphas.size(); ++level)
  {
    total = total + CosinePerImage(alphas[level], encrypted[level]).clamp_min(threshold).mean();
  }
  return total;
}

torch::Tensor
SimilarityLoss(const std::vector<torch::Tensor> & alphas, const std::vector<torch::Tensor> & recovered)
{
  CheckLevels(alphas, recovered, "SimilarityLoss");
  torch::Tensor total = (1.0 - CosinePerImage(alphas[0], recovered[0])).mean();
  for (std::size_t level = 1; level < alphas.size(); ++level)
  {
    total = total + (1.0 - CosinePerImage(alphas[level], recovered[level])).mean();
  }
  return total;
}

torch::Tensor
WrongKeyLoss(const torch::Tensor & decrypted,
             const torch::Tensor & plain,
             const torch::Tensor & noise,
             const LossWeights & weights)
{
  TORCH_CHECK(decrypted.defined() && decrypted.dim() == 5,
              "WrongKeyLoss: decrypted must be [m, n, C, H, W], got ",
              decrypted.sizes());
  TORCH_CHECK(noise.defined() && noise.sizes() == decrypted.sizes(),
              "WrongKeyLoss: noise must have the shape of decrypted, got ",
              noise.sizes());
  const std::int64_t images = decrypted.size(0);
  const std::int64_t keys = decrypted.size(1);
  TORCH_CHECK(plain.defined() && plain.dim() == 4 && plain.size(0) == images &&
                plain.sizes().slice(1) == decrypted.sizes().slice(2),
              "WrongKeyLoss: plain must be [m, C, H, W] matching decrypted ",
              decrypted.sizes(),
              ", got ",
              plain.sizes());
  const std::int64_t offDiagonal = images * keys - std::min(images, keys);
  TORCH_CHECK(
    offDiagonal > 0, "WrongKeyLoss needs at least one wrong key (m x n > min(m, n)), got m = ", images, ", n = ", keys);

  const torch::Tensor decryptedImages = decrypted.flatten(0, 1);
  const torch::Tensor plainImages = plain.unsqueeze(1).expand_as(decrypted).flatten(0, 1);
  const torch::Tensor noiseDistance = (decryptedImages - noise.flatten(0, 1)).abs().flatten(1).mean(1);
  const torch::Tensor matrix =
    (noiseDistance + StatsPerImage(decryptedImages, weights) + DiffusionPerImage(decryptedImages, plainImages, weights))
      .view({ images, keys });
  const torch::Tensor wrongKeyMask = 1.0 - torch::eye(images, keys, matrix.options());
  return (matrix * wrongKeyMask).sum() / static_cast<double>(offDiagonal);
}

torch::Tensor
BatchHistogramLoss(const torch::Tensor & x, int bins)
{
  CheckImages(x, "BatchHistogramLoss input");
  return HistogramLossPerImage(x.reshape({ 1, 1, -1, x.size(3) }), bins).mean();
}

std::pair<torch::Tensor, torch::Tensor>
PooledRanks(const torch::Tensor & c1, const torch::Tensor & c2)
{
  CheckSameShape(c1, c2, "PooledRanks");
  const torch::Tensor knots = FitOutputCalibration(torch::cat({ c1.detach(), c2.detach() }));
  return { ApplyOutputCalibration(c1, knots), ApplyOutputCalibration(c2, knots) };
}

EncryptionLossTerms
EncryptionLoss(const torch::Tensor & cipher,
               const torch::Tensor & cipherChanged,
               const std::vector<torch::Tensor> & alphas,
               const std::vector<torch::Tensor> & encrypted,
               const LossWeights & weights)
{
  EncryptionLossTerms terms;
  terms.stats = StatsLoss(cipher, weights);
  torch::Tensor ranks, ranksChanged;
  if (weights.diffusionOnRanks || weights.twinCorrelationOnRanks || weights.correlationOnRanks)
  {
    std::tie(ranks, ranksChanged) = PooledRanks(cipher, cipherChanged);
  }
  terms.correlation = CorrelationTotalLoss(weights.correlationOnRanks ? ranks : cipher, weights);
  terms.diffusion = weights.diffusionOnRanks ? DiffusionLoss(ranks, ranksChanged, weights)
                                             : DiffusionLoss(cipher, cipherChanged, weights);
  terms.dissimilarity = DissimilarityLoss(alphas, encrypted, weights.dissimilarityThreshold);
  terms.twinCorrelation = weights.twinCorrelationOnRanks ? TwinCorrelationLoss(ranks, ranksChanged)
                                                         : TwinCorrelationLoss(cipher, cipherChanged);
  terms.batchHistogram = BatchHistogramLoss(cipher, weights.histogramBins);
  terms.total = weights.stats * terms.stats + weights.correlationTotal * terms.correlation +
                weights.diffusion * terms.diffusion + weights.dissimilarity * terms.dissimilarity +
                weights.twinCorrelation * terms.twinCorrelation + weights.batchHistogram * terms.batchHistogram;
  return terms;
}

DecryptionLossTerms
DecryptionLoss(const torch::Tensor & wrongKey,
               const std::vector<torch::Tensor> & alphas,
               const std::vector<torch::Tensor> & recovered,
               const torch::Tensor & decrypted,
               const torch::Tensor & plain,
               const LossWeights & weights)
{
  CheckSameShape(decrypted, plain, "DecryptionLoss");
  DecryptionLossTerms terms;
  terms.wrongKey = wrongKey.defined() ? wrongKey : torch::zeros({}, decrypted.options());
  terms.similarity = SimilarityLoss(alphas, recovered);
  terms.reconstruction = (decrypted - plain).abs().mean();
  terms.structure = weights.structure > 0.0 ? 1.0 - StructuralSimilarity(decrypted, plain).mean()
                                            : torch::zeros({}, decrypted.options());
  terms.total = weights.wrongKey * terms.wrongKey + weights.similarity * terms.similarity +
                weights.reconstruction * terms.reconstruction + weights.structure * terms.structure;
  return terms;
}

torch::Tensor
StructuralSimilarity(const torch::Tensor & x, const torch::Tensor & y)
{
  CheckSameShape(x, y, "StructuralSimilarity");
  constexpr int64_t window = 11;
  constexpr double sigma = 1.5;
  TORCH_CHECK(x.size(1) == 1 && x.size(2) >= window && x.size(3) >= window,
              "StructuralSimilarity: the images must be [B, 1, H, W] with H, W >= 11, got ",
              x.sizes());
  const torch::Tensor offsets = torch::arange(window, x.options()) - (window - 1) / 2;
  torch::Tensor gauss = torch::exp(-offsets * offsets / (2.0 * sigma * sigma));
  gauss = gauss / gauss.sum();
  // The separable window, applied along W then H ("valid" positions only).
  const torch::Tensor alongW = gauss.view({ 1, 1, 1, window });
  const torch::Tensor alongH = gauss.view({ 1, 1, window, 1 });
  const auto windowMean = [&](const torch::Tensor & image)
  { return torch::conv2d(torch::conv2d(image, alongW), alongH); };
  const double c1 = 0.01 * 0.01;
  const double c2 = 0.03 * 0.03;
  const torch::Tensor muX = windowMean(x);
  const torch::Tensor muY = windowMean(y);
  const torch::Tensor varX = windowMean(x * x) - muX * muX;
  const torch::Tensor varY = windowMean(y * y) - muY * muY;
  const torch::Tensor covariance = windowMean(x * y) - muX * muY;
  const torch::Tensor map =
    (2.0 * muX * muY + c1) * (2.0 * covariance + c2) / ((muX * muX + muY * muY + c1) * (varX + varY + c2));
  return map.flatten(1).mean(1);
}

torch::Tensor
ContractionLoss(const torch::Tensor & shiftedCipher,
                const torch::Tensor & cipher,
                const torch::Tensor & shiftedPlain,
                const torch::Tensor & plain,
                double floor)
{
  CheckSameShape(shiftedCipher, cipher, "ContractionLoss");
  CheckSameShape(shiftedPlain, plain, "ContractionLoss");
  TORCH_CHECK(floor > 0.0, "ContractionLoss: the floor must be positive, got ", floor);
  const auto rms = [](const torch::Tensor & difference) { return difference.flatten(1).pow(2).mean(1).sqrt(); };
  const torch::Tensor change = rms(shiftedPlain - plain);
  const torch::Tensor counted = change >= 1e-6;
  // log g = log rms(cipher change) - log rms(plain change), each kept away from log 0.
  const torch::Tensor logGain =
    torch::log(rms(shiftedCipher - cipher).clamp_min(1e-12)) - torch::log(change.clamp_min(1e-6));
  const torch::Tensor shortfall = torch::relu(std::log(floor) - logGain);
  return torch::where(counted, shortfall, torch::zeros_like(shortfall)).mean();
}

} // namespace medcrypt::losses

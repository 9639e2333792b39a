// The paper's losses (Eq. 7-25) and the attack simulation: values worked out by hand (the arithmetic
// is in the comments), second naive implementations written here in plain loops, the statistics of
// ideal (uniform random) ciphertexts, and gradients that flow and stay finite.
#include "medcrypt/AttackSimulation.h"
#include "medcrypt/Error.h"
#include "medcrypt/Losses.h"

#include <gtest/gtest.h>

#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <vector>

namespace
{

using namespace medcrypt;
using namespace medcrypt::losses;

/** A [1, 1, rows, columns] float image from row-major values. */
torch::Tensor
Image(const std::vector<float> & values, std::int64_t rows, std::int64_t columns)
{
  return torch::tensor(values, torch::kFloat).view({ 1, 1, rows, columns });
}

/** Uniform [0, 1) images [batch, 1, rows, columns] from a seeded CPU generator. */
torch::Tensor
UniformImages(std::int64_t batch, std::int64_t rows, std::int64_t columns, std::uint64_t seed)
{
  return torch::rand({ batch, 1, rows, columns }, torch::make_generator<at::CPUGeneratorImpl>(seed));
}

bool
AllFinite(const torch::Tensor & t)
{
  return torch::isfinite(t).all().item<bool>();
}

bool
AnyNonZero(const torch::Tensor & t)
{
  return t.ne(0).any().item<bool>();
}

/** Triangle kernel weight of value v at bin k, bin centres (k + 0.5) / bins, a value beyond the
 * outermost centres counting fully to the end bin: the definition of Losses.h written out directly. */
double
NaiveBinWeight(double v, int k, int bins)
{
  const double first = 0.5 / bins;
  const double last = 1.0 - 0.5 / bins;
  if (v <= first)
  {
    return k == 0 ? 1.0 : 0.0;
  }
  if (v >= last)
  {
    return k == bins - 1 ? 1.0 : 0.0;
  }
  const double centre = (k + 0.5) / bins;
  return std::max(0.0, 1.0 - std::abs(v - centre) * bins);
}

/** Pearson correlation in double of the pixel pairs (x(r, c), x(r + dr, c + dc)) of image b. */
double
NaiveCorrelation(const torch::Tensor & x, std::int64_t b, int dr, int dc)
{
  const auto a = x.accessor<float, 4>();
  std::vector<double> first;
  std::vector<double> second;
  for (std::int64_t r = 0; r + dr < x.size(2); ++r)
  {
    for (std::int64_t c = 0; c + dc < x.size(3); ++c)
    {
      first.push_back(a[b][0][r][c]);
      second.push_back(a[b][0][r + dr][c + dc]);
    }
  }
  const double n = static_cast<double>(first.size());
  double meanFirst = 0;
  double meanSecond = 0;
  for (std::size_t i = 0; i < first.size(); ++i)
  {
    meanFirst += first[i] / n;
    meanSecond += second[i] / n;
  }
  double covariance = 0;
  double varianceFirst = 0;
  double varianceSecond = 0;
  for (std::size_t i = 0; i < first.size(); ++i)
  {
    covariance += (first[i] - meanFirst) * (second[i] - meanSecond) / n;
    varianceFirst += (first[i] - meanFirst) * (first[i] - meanFirst) / n;
    varianceSecond += (second[i] - meanSecond) * (second[i] - meanSecond) / n;
  }
  return covariance / std::sqrt(varianceFirst * varianceSecond);
}

/** Sum over bins of E[t_k(U)^2] for U uniform on [0, 1]: interior bins 2 / (3 N) (a triangle of height 1
 * and half-width 1 / N), the two end bins 5 / (6 N) (a flat half bin, 1 / (2 N), plus a half triangle). */
double
SumOfSquaredKernelMeans(int bins)
{
  return ((bins - 2) * (2.0 / 3.0) + 2 * (5.0 / 6.0)) / bins;
}

// ---------------------------------------------------------------------------------------------------
// Eq. 7-9: soft histogram, histogram loss, entropy

void
SoftHistogramOfTwoValuesWithTwoBins()
{
  // Centres 0.25 and 0.75. 0.1 lies below the first centre: it counts 1 at bin 0. 0.6 lies between:
  // (0.75 - 0.6) / 0.5 = 0.3 at bin 0 and (0.6 - 0.25) / 0.5 = 0.7 at bin 1. H = [1.3, 0.7].
  const torch::Tensor x = Image({ 0.1f, 0.6f }, 1, 2).requires_grad_();
  const torch::Tensor histogram = SoftHistogram(x, 2);
  ASSERT_EQ(histogram.sizes(), torch::IntArrayRef({ 1, 2 }));
  EXPECT_NEAR(histogram[0][0].item<double>(), 1.3, 1e-6);
  EXPECT_NEAR(histogram[0][1].item<double>(), 0.7, 1e-6);
  // dH[1]/dx: 0 for 0.1 (flat below the first centre), 1 / (centre distance) = 2 for 0.6.
  histogram[0][1].backward();
  EXPECT_NEAR(x.grad()[0][0][0][0].item<double>(), 0.0, 1e-6);
  EXPECT_NEAR(x.grad()[0][0][0][1].item<double>(), 2.0, 1e-5);
}

void
SoftHistogramMatchesNaiveKernel()
{
  torch::Tensor x = UniformImages(2, 5, 7, 11);
  // Include the exact ends and values in the flat half bins at both ends.
  x[0][0][0][0] = 0.0f;
  x[0][0][0][1] = 1.0f;
  x[1][0][0][0] = 0.01f;
  x[1][0][0][1] = 0.99f;
  const int bins = 6;
  const torch::Tensor histogram = SoftHistogram(x, bins);
  const auto a = x.accessor<float, 4>();
  for (std::int64_t b = 0; b < 2; ++b)
  {
    for (int k = 0; k < bins; ++k)
    {
      double expected = 0;
      for (std::int64_t r = 0; r < 5; ++r)
      {
        for (std::int64_t c = 0; c < 7; ++c)
        {
          expected += NaiveBinWeight(a[b][0][r][c], k, bins);
        }
      }
      EXPECT_NEAR(histogram[b][k].item<double>(), expected, 1e-4) << "image " << b << " bin " << k;
    }
    EXPECT_NEAR(histogram[b].sum().item<double>(), 35.0, 1e-4);
  }
}

void
HistogramLossHandWorkedAndGradient()
{
  // H = [1.3, 0.7] (previous test), W H / N = 2 / 2 = 1: mean((1.3 - 1)^2, (0.7 - 1)^2) / 1^2 = 0.09.
  const torch::Tensor x = Image({ 0.1f, 0.6f }, 1, 2).requires_grad_();
  const torch::Tensor loss = HistogramLoss(x, 2);
  EXPECT_NEAR(loss.item<double>(), 0.09, 1e-6);
  // dL/dH_k = (H_k - 1) (mean of 2 squares) = [0.3, -0.3]; dH/dx(0.6) = [-2, 2]:
  // dL/dx(0.6) = 0.3 * -2 - 0.3 * 2 = -1.2; dL/dx(0.1) = 0.
  loss.backward();
  EXPECT_NEAR(x.grad()[0][0][0][0].item<double>(), 0.0, 1e-6);
  EXPECT_NEAR(x.grad()[0][0][0][1].item<double>(), -1.2, 1e-5);
}

void
EntropyHandWorked()
{
  // p = H / 2 = [0.65, 0.35]: -(0.65 log2 0.65 + 0.35 log2 0.35) = 0.934068...
  const torch::Tensor x = Image({ 0.1f, 0.6f }, 1, 2);
  const double expected = -(0.65 * std::log2(0.65) + 0.35 * std::log2(0.35));
  EXPECT_NEAR(Entropy(x, 2)[0].item<double>(), expected, 1e-5);
  // Eq. 9 with N = 2 bins: log2(2) - entropy.
  EXPECT_NEAR(EntropyLoss(x, 2).item<double>(), 1.0 - expected, 1e-5);
}

void
EntropyGradientFiniteWithEmptyBins()
{
  // Every value in [0, 0.4): bins 2 and 3 of 4 are empty (0 log 0) and bin 0 is fed by the flat part.
  const torch::Tensor x = (UniformImages(2, 8, 8, 3) * 0.4).requires_grad_();
  const torch::Tensor loss = EntropyLoss(x, 4) + HistogramLoss(x, 4);
  loss.backward();
  EXPECT_TRUE(AllFinite(loss));
  EXPECT_TRUE(AllFinite(x.grad()));
  EXPECT_TRUE(AnyNonZero(x.grad()));
}

void
UniformImageEntropyCloseToHardHistogramEntropy()
{
  const torch::Tensor x = UniformImages(1, 256, 256, 5);
  // The 8-bit view floor(256 x) and its ordinary histogram entropy.
  std::array<double, 256> counts{};
  const auto a = x.accessor<float, 4>();
  for (std::int64_t r = 0; r < 256; ++r)
  {
    for (std::int64_t c = 0; c < 256; ++c)
    {
      counts[std::min(255, static_cast<int>(a[0][0][r][c] * 256.0f))] += 1.0;
    }
  }
  double hard = 0;
  for (const double count : counts)
  {
    const double p = count / 65536.0;
    hard -= p > 0 ? p * std::log2(p) : 0.0;
  }
  const double soft = Entropy(x, 256)[0].item<double>();
  // Hard: about 8 - 255 / (2 * 65536 ln 2) = 7.9972; soft about 2/3 of that deficit below 8: 7.9981.
  EXPECT_GT(hard, 7.995);
  EXPECT_GT(soft, 7.996);
  EXPECT_LT(soft, 8.0);
  EXPECT_NEAR(soft, hard, 0.002);
  EXPECT_LT(EntropyLoss(x, 256).item<double>(), 0.004);
}

void
UniformImageHistogramLossNearItsFloor()
{
  // E[L] = (1 / N) sum_k Var(H_k) / (M / N)^2 = (N / M) (sum_k E[t_k^2] - 1 / N) for M independent
  // uniform pixels (E[t_k] = 1 / N exactly): 0.00259 for N = 256, M = 65536.
  const torch::Tensor x = UniformImages(4, 256, 256, 7);
  const double floor = 256.0 / 65536.0 * (SumOfSquaredKernelMeans(256) - 1.0 / 256.0);
  const double loss = HistogramLoss(x, 256).item<double>();
  EXPECT_GT(loss, 0.75 * floor);
  EXPECT_LT(loss, 1.25 * floor);
  // Half the range: half the bins empty ((0 - 1)^2), the other half doubled ((2 - 1)^2): about 1.
  EXPECT_NEAR(HistogramLoss(x * 0.5, 256).item<double>(), 1.0, 0.05);
  EXPECT_NEAR(StatsLoss(x).item<double>(),
              HistogramLoss(x, 256).item<double>() + 0.125 * EntropyLoss(x, 256).item<double>(),
              1e-6);
}

// ---------------------------------------------------------------------------------------------------
// Eq. 10-15: adjacent correlation and 2-D histogram

void
CorrelationOfHandWorkedImages()
{
  // Identity 3 x 3. Horizontal pairs: (1,0) (0,0) (0,1) (1,0) (0,0) (0,1): x = [1 0 0 1 0 0],
  // y = [0 0 1 0 0 1]; E = 1/3 each, cov = E[xy] - 1/9 = -1/9, D = 1/3 - 1/9 = 2/9: r = -1/2. The matrix
  // is symmetric, so vertical is -1/2 too. Diagonal pairs (1,1) (0,0) (0,0) (1,1): r = 1.
  // The 1e-6 added to each variance of 2/9 changes r by a relative 4.5e-6.
  const torch::Tensor identity = Image({ 1, 0, 0, 0, 1, 0, 0, 0, 1 }, 3, 3);
  EXPECT_NEAR(AdjacentCorrelation(identity, Direction::Horizontal)[0].item<double>(), -0.5, 1e-5);
  EXPECT_NEAR(AdjacentCorrelation(identity, Direction::Vertical)[0].item<double>(), -0.5, 1e-5);
  EXPECT_NEAR(AdjacentCorrelation(identity, Direction::Diagonal)[0].item<double>(), 1.0, 1e-5);
  EXPECT_NEAR(CorrelationLoss(identity).item<double>(), 2.0, 1e-5);

  // Ramp v(r, c) = (r + 2 c) / 8: every neighbour is v plus a constant (2/8, 1/8, 3/8), so r = 1 in all
  // directions (the smallest variance, 10/6/64 = 0.026, moves it by 4e-5).
  std::vector<float> ramp;
  for (int r = 0; r < 3; ++r)
  {
    for (int c = 0; c < 3; ++c)
    {
      ramp.push_back(static_cast<float>(r + 2 * c) / 8.0f);
    }
  }
  const torch::Tensor rampImage = Image(ramp, 3, 3);
  for (const Direction direction : { Direction::Horizontal, Direction::Vertical, Direction::Diagonal })
  {
    EXPECT_NEAR(AdjacentCorrelation(rampImage, direction)[0].item<double>(), 1.0, 1e-4);
  }

  // Checkerboard: every horizontal or vertical neighbour is 1 - v (r = -1), every diagonal one v (r = 1).
  const torch::Tensor checkerboard = Image({ 0, 1, 0, 1, 1, 0, 1, 0, 0, 1, 0, 1, 1, 0, 1, 0 }, 4, 4);
  EXPECT_NEAR(AdjacentCorrelation(checkerboard, Direction::Horizontal)[0].item<double>(), -1.0, 1e-5);
  EXPECT_NEAR(AdjacentCorrelation(checkerboard, Direction::Vertical)[0].item<double>(), -1.0, 1e-5);
  EXPECT_NEAR(AdjacentCorrelation(checkerboard, Direction::Diagonal)[0].item<double>(), 1.0, 1e-5);
}

void
CorrelationMatchesNaiveImplementation()
{
  // A correlated random image: each pixel plus a fraction of its right and lower neighbours.
  const torch::Tensor noise = UniformImages(2, 9, 10, 13);
  using torch::indexing::Slice;
  const torch::Tensor x = (noise.index({ Slice(), Slice(), Slice(0, 8), Slice(0, 9) }) +
                           0.7 * noise.index({ Slice(), Slice(), Slice(1, 9), Slice(0, 9) }) +
                           0.5 * noise.index({ Slice(), Slice(), Slice(0, 8), Slice(1, 10) }))
                            .contiguous();
  for (std::int64_t b = 0; b < 2; ++b)
  {
    EXPECT_NEAR(AdjacentCorrelation(x, Direction::Horizontal)[b].item<double>(), NaiveCorrelation(x, b, 0, 1), 1e-4);
    EXPECT_NEAR(AdjacentCorrelation(x, Direction::Vertical)[b].item<double>(), NaiveCorrelation(x, b, 1, 0), 1e-4);
    EXPECT_NEAR(AdjacentCorrelation(x, Direction::Diagonal)[b].item<double>(), NaiveCorrelation(x, b, 1, 1), 1e-4);
  }
}

void
CorrelationOfConstantImageIsFinite()
{
  const torch::Tensor x = torch::full({ 2, 1, 8, 8 }, 0.4f).requires_grad_();
  const torch::Tensor loss = CorrelationLoss(x);
  EXPECT_NEAR(loss.item<double>(), 0.0, 1e-6);
  loss.backward();
  EXPECT_TRUE(AllFinite(x.grad()));
  // The whole L_c (with the 2-D histogram) still pushes a constant image apart.
  x.mutable_grad() = torch::Tensor();
  const torch::Tensor total = CorrelationTotalLoss(x);
  total.backward();
  EXPECT_TRUE(AllFinite(total));
  EXPECT_TRUE(AllFinite(x.grad()));
}

void
CorrelationGradientFlows()
{
  const torch::Tensor x = UniformImages(2, 16, 16, 17).requires_grad_();
  const torch::Tensor loss = CorrelationLoss(x);
  loss.backward();
  EXPECT_TRUE(AllFinite(x.grad()));
  EXPECT_GT(x.grad().abs().gt(0).sum().item<std::int64_t>(), 2 * 16 * 16 / 2);
}

void
UniformImageCorrelationsNearZero()
{
  // Sampling noise of r over 65280 independent pairs: standard deviation 1 / sqrt(65280) = 0.0039.
  const torch::Tensor x = UniformImages(2, 256, 256, 19);
  for (const Direction direction : { Direction::Horizontal, Direction::Vertical, Direction::Diagonal })
  {
    EXPECT_LT(AdjacentCorrelation(x, direction).abs().max().item<double>(), 0.02);
  }
  EXPECT_LT(CorrelationLoss(x).item<double>(), 0.03);
}

void
SoftHistogram2DHandWorked()
{
  // Row [0.1, 0.6, 0.9], 2 bins (centres 0.25, 0.75). 1-D weights: 0.1 -> [1, 0], 0.6 -> [0.3, 0.7],
  // 0.9 -> [0, 1]. Pair (0.1, 0.6): [1, 0] x [0.3, 0.7] -> cells (0,0) 0.3, (0,1) 0.7.
  // Pair (0.6, 0.9): [0.3, 0.7] x [0, 1] -> (0,1) 0.3, (1,1) 0.7. H = [[0.3, 1.0], [0, 0.7]].
  const torch::Tensor x = Image({ 0.1f, 0.6f, 0.9f }, 1, 3);
  const torch::Tensor histogram = SoftHistogram2D(x, 2);
  ASSERT_EQ(histogram.sizes(), torch::IntArrayRef({ 1, 2, 2 }));
  EXPECT_NEAR(histogram[0][0][0].item<double>(), 0.3, 1e-6);
  EXPECT_NEAR(histogram[0][0][1].item<double>(), 1.0, 1e-6);
  EXPECT_NEAR(histogram[0][1][0].item<double>(), 0.0, 1e-6);
  EXPECT_NEAR(histogram[0][1][1].item<double>(), 0.7, 1e-6);
  // Eq. 15 scaled: P = 2 pairs, P / N^2 = 0.5; deviations -0.2, 0.5, -0.5, 0.2; squares sum 0.58;
  // divided by 0.5^2: 2.32.
  EXPECT_NEAR(Histogram2DLoss(x, 2).item<double>(), 2.32, 1e-5);
}

void
SoftHistogram2DMatchesNaiveKernel()
{
  const torch::Tensor x = UniformImages(2, 4, 6, 23);
  const int bins = 4;
  const torch::Tensor histogram = SoftHistogram2D(x, bins);
  const auto a = x.accessor<float, 4>();
  for (std::int64_t b = 0; b < 2; ++b)
  {
    for (int i = 0; i < bins; ++i)
    {
      for (int j = 0; j < bins; ++j)
      {
        double expected = 0;
        for (std::int64_t r = 0; r < 4; ++r)
        {
          for (std::int64_t c = 0; c + 1 < 6; ++c)
          {
            expected += NaiveBinWeight(a[b][0][r][c], i, bins) * NaiveBinWeight(a[b][0][r][c + 1], j, bins);
          }
        }
        EXPECT_NEAR(histogram[b][i][j].item<double>(), expected, 1e-4) << b << " " << i << " " << j;
      }
    }
  }
}

void
UniformImageHistogram2DLossNearItsFloorAndGradientFlows()
{
  // E[L] = sum over cells of Var(H_xy) / (P / N^2)^2 = (N^4 / P) ((sum_k E[t_k^2])^2 - 1 / N^2): the
  // covariances of overlapping pairs sum to 0 over the cells because each pixel's weights sum to 1.
  // 0.0305 for N = 8, P = 256 * 255.
  const torch::Tensor x = UniformImages(4, 256, 256, 29).requires_grad_();
  const double pairs = 256.0 * 255.0;
  const double s = SumOfSquaredKernelMeans(8);
  const double floor = 4096.0 / pairs * (s * s - 1.0 / 64.0);
  const torch::Tensor loss = Histogram2DLoss(x, 8);
  EXPECT_GT(loss.item<double>(), 0.7 * floor);
  EXPECT_LT(loss.item<double>(), 1.3 * floor);
  loss.backward();
  EXPECT_TRUE(AllFinite(x.grad()));
  EXPECT_TRUE(AnyNonZero(x.grad()));
  // A strongly correlated image (a smooth ramp) is far from the floor.
  const torch::Tensor ramp = torch::linspace(0, 1, 256).view({ 1, 1, 1, 256 }).expand({ 1, 1, 256, 256 });
  EXPECT_GT(Histogram2DLoss(ramp, 8).item<double>(), 10.0);
}

// ---------------------------------------------------------------------------------------------------
// Eq. 16-20: NPCR and UACI

void
NPCRAndUACIOfTwo2x2Images()
{
  // C1 = [[0.2, 0.5], [0.9, 0.4]], C2 = [[0.2, 0.5], [0.1, 0.4 + 1/256]]: differences 0, 0, 0.8, 1/256.
  // Soft D = tanh(1000 d) = [0, 0, tanh(800) = 1, tanh(1000 / 256)]: NPCR = (1 + tanh(3.90625)) / 4.
  // UACI = (0.8 + 1/256) / 4.
  const torch::Tensor c1 = Image({ 0.2f, 0.5f, 0.9f, 0.4f }, 2, 2).requires_grad_();
  const torch::Tensor c2 = Image({ 0.2f, 0.5f, 0.1f, 0.4f + 1.0f / 256.0f }, 2, 2).requires_grad_();
  const double npcr = (1.0 + std::tanh(1000.0 / 256.0)) / 4.0;
  const double uaci = (0.8 + 1.0 / 256.0) / 4.0;
  EXPECT_NEAR(SoftNPCR(c1, c2)[0].item<double>(), npcr, 1e-5);
  EXPECT_NEAR(NPCRLoss(c1, c2).item<double>(), 1.0 - npcr, 1e-5);
  EXPECT_NEAR(UACI(c1, c2)[0].item<double>(), uaci, 1e-6);
  EXPECT_NEAR(UACILoss(c1, c2, 0.3).item<double>(), 0.3 - uaci, 1e-6);
  LossWeights weights;
  EXPECT_NEAR(DiffusionLoss(c1, c2, weights).item<double>(),
              0.1 * (1.0 - npcr) + 0.1 * std::abs(weights.uaciTarget - uaci),
              1e-6);

  // Gradients of -NPCR: pixel 4 (C1 - C2 = -1/256) gets -1000 (1 - tanh^2(3.90625)) / 4 * sign(-1/256)
  // = +0.404 for C1 and -0.404 for C2; the equal pixels 1 and 2 get 0 (|d|' = 0 at 0).
  const torch::Tensor negative = -SoftNPCR(c1, c2).sum();
  negative.backward();
  const double t = std::tanh(1000.0 / 256.0);
  EXPECT_NEAR(c1.grad()[0][0][1][1].item<double>(), 1000.0 * (1.0 - t * t) / 4.0, 1e-3);
  EXPECT_NEAR(c2.grad()[0][0][1][1].item<double>(), -1000.0 * (1.0 - t * t) / 4.0, 1e-3);
  EXPECT_EQ(c1.grad()[0][0][0][0].item<double>(), 0.0);
  EXPECT_TRUE(AllFinite(c1.grad()));

  // d UACI / d C1 = sign(C1 - C2) / 4 where they differ.
  c1.mutable_grad() = torch::Tensor();
  UACI(c1, c2).sum().backward();
  EXPECT_NEAR(c1.grad()[0][0][1][0].item<double>(), 0.25, 1e-6);
  EXPECT_NEAR(c1.grad()[0][0][1][1].item<double>(), -0.25, 1e-6);
}

void
IndependentUniformImagesDiffusion()
{
  const torch::Tensor c1 = UniformImages(2, 256, 256, 31);
  const torch::Tensor c2 = UniformImages(2, 256, 256, 37);
  // E|U - V| = 1/3 for independent uniform U, V (standard deviation of the mean 0.0009 here).
  const torch::Tensor uaci = UACI(c1, c2);
  EXPECT_NEAR(uaci[0].item<double>(), 1.0 / 3.0, 0.004);
  EXPECT_NEAR(uaci[1].item<double>(), 1.0 / 3.0, 0.004);
  EXPECT_NEAR(LossWeights{}.uaciTarget, 1.0 / 3.0, 1e-12);
  // The 8-bit UACI of the views floor(256 c) is the paper's 33.4635% ((256^2 - 1) / (3 * 256) / 255),
  // 256/255 times the [0, 1] UACI up to sampling noise: why uaciTarget is 1/3, not 0.334635.
  const torch::Tensor view1 = torch::floor(c1 * 256.0).clamp_max(255.0);
  const torch::Tensor view2 = torch::floor(c2 * 256.0).clamp_max(255.0);
  const double uaci8 = (view1 - view2).abs().mean().item<double>() / 255.0;
  EXPECT_NEAR(uaci8, 0.334635, 0.003);
  EXPECT_NEAR(uaci8 / uaci.mean().item<double>(), 256.0 / 255.0, 2e-4);
  // Soft NPCR: E tanh(s |U - V|) = 1 - 2 ln 2 / s + (pi^2 / 12) / s^2 + ... for s = 1000 (sampling
  // standard deviation 1e-4 over 131072 pixels).
  EXPECT_NEAR(SoftNPCR(c1, c2).mean().item<double>(), 1.0 - 2.0 * std::log(2.0) / 1000.0, 4e-4);
  // At sharpness 512 ln 2 it estimates the hard 8-bit NPCR of ideal ciphertexts, 1 - 1/256 (sampling
  // standard deviation 1.7e-4).
  EXPECT_NEAR(SoftNPCR(c1, c2, 512.0 * std::log(2.0)).mean().item<double>(), 1.0 - 1.0 / 256.0, 6e-4);
}

void
TwinCorrelationOfTwo2x2Images()
{
  // C1 = [0.1, 0.3, 0.5, 0.9]: mean 0.45, deviations [-0.35, -0.15, 0.05, 0.45], variance 0.0875.
  // C2 = [0.2, 0.2, 0.6, 0.6]: mean 0.4, deviations [-0.2, -0.2, 0.2, 0.2], variance 0.04.
  // Covariance (0.07 + 0.03 + 0.01 + 0.09) / 4 = 0.05; r = 0.05 / sqrt((0.0875 + 1e-6) (0.04 + 1e-6)).
  const torch::Tensor c1 = Image({ 0.1f, 0.3f, 0.5f, 0.9f }, 2, 2).requires_grad_();
  const torch::Tensor c2 = Image({ 0.2f, 0.2f, 0.6f, 0.6f }, 2, 2);
  const double r = 0.05 / std::sqrt((0.0875 + 1e-6) * (0.04 + 1e-6));
  EXPECT_NEAR(TwinCorrelation(c1, c2)[0].item<double>(), r, 1e-5);
  // 1 - C2 is perfectly anti-correlated: the loss takes the magnitude.
  EXPECT_NEAR(TwinCorrelation(c1, 1.0 - c2)[0].item<double>(), -r, 1e-5);
  EXPECT_NEAR(TwinCorrelationLoss(c1, 1.0 - c2).item<double>(), r, 1e-5);
  // An image with itself: 1 (up to the 1e-6 regularisation); a constant twin: 0 with finite gradients.
  EXPECT_NEAR(TwinCorrelation(c2, c2)[0].item<double>(), 0.04 / 0.040001, 1e-6);
  const torch::Tensor constant = torch::full_like(c1, 0.5);
  EXPECT_EQ(TwinCorrelation(c1, constant)[0].item<double>(), 0.0);
  TwinCorrelationLoss(c1, constant).backward();
  EXPECT_TRUE(AllFinite(c1.grad()));
  // Independent uniform images: |r| of the order 1 / sqrt(65536) = 0.004.
  const torch::Tensor u1 = UniformImages(2, 256, 256, 41);
  const torch::Tensor u2 = UniformImages(2, 256, 256, 43);
  EXPECT_LT(TwinCorrelationLoss(u1, u2).item<double>(), 0.02);
}

// ---------------------------------------------------------------------------------------------------
// Eq. 21-25

void
DissimilarityAndSimilarityHandWorked()
{
  // Level 1: alpha [1, 0], EP [1, 1]: cos = 1 / sqrt(2). Level 2: alpha [1, 2, 2], EP [-1, 0, 0]:
  // cos = -1 / 3. Eq. 21 with eps = 0: 1/sqrt(2) + max(0, -1/3) = 0.70711; with eps = -1: 1/sqrt(2) - 1/3.
  // Eq. 22: (1 - 1/sqrt(2)) + (1 + 1/3).
  const torch::Tensor alpha1 = torch::tensor({ 1.0f, 0.0f }).view({ 1, 2 }).requires_grad_();
  const torch::Tensor alpha2 = torch::tensor({ 1.0f, 2.0f, 2.0f }).view({ 1, 3 }).requires_grad_();
  const torch::Tensor ep1 = torch::tensor({ 1.0f, 1.0f }).view({ 1, 2 }).requires_grad_();
  const torch::Tensor ep2 = torch::tensor({ -1.0f, 0.0f, 0.0f }).view({ 1, 3 }).requires_grad_();
  const double cos1 = 1.0 / std::sqrt(2.0);
  const torch::Tensor dissimilarity = DissimilarityLoss({ alpha1, alpha2 }, { ep1, ep2 }, 0.0);
  EXPECT_NEAR(dissimilarity.item<double>(), cos1, 1e-6);
  EXPECT_NEAR(DissimilarityLoss({ alpha1, alpha2 }, { ep1, ep2 }, -1.0).item<double>(), cos1 - 1.0 / 3.0, 1e-6);
  EXPECT_NEAR(SimilarityLoss({ alpha1, alpha2 }, { ep1, ep2 }).item<double>(), (1.0 - cos1) + (1.0 + 1.0 / 3.0), 1e-6);
  // Gradients: level 1 gets them; level 2 is clamped at eps = 0 and gets none.
  dissimilarity.backward();
  EXPECT_TRUE(AnyNonZero(alpha1.grad()));
  EXPECT_TRUE(AnyNonZero(ep1.grad()));
  EXPECT_FALSE(AnyNonZero(alpha2.grad()));
  // d cos / d EP1 at alpha [1, 0], EP [1, 1]: (alpha / |EP| - cos EP / |EP|^2) = [1/sqrt2 - 1/(2 sqrt2), -1/(2 sqrt2)].
  EXPECT_NEAR(ep1.grad()[0][0].item<double>(), 0.5 / std::sqrt(2.0), 1e-5);
  EXPECT_NEAR(ep1.grad()[0][1].item<double>(), -0.5 / std::sqrt(2.0), 1e-5);
}

void
CosineLossesAverageOverTheBatch()
{
  // Two images, one level: cosines 1 (equal vectors) and 0 (orthogonal): mean 0.5 for Eq. 21, and
  // for Eq. 22 mean(1 - 1, 1 - 0) = 0.5. [B, C, 1, 1] shapes are flattened per image.
  const torch::Tensor alpha = torch::tensor({ 1.0f, 1.0f, 1.0f, 0.0f }).view({ 2, 2, 1, 1 });
  const torch::Tensor ep = torch::tensor({ 2.0f, 2.0f, 0.0f, 3.0f }).view({ 2, 2, 1, 1 });
  EXPECT_NEAR(DissimilarityLoss({ alpha }, { ep }, 0.0).item<double>(), 0.5, 1e-6);
  EXPECT_NEAR(SimilarityLoss({ alpha }, { ep }).item<double>(), 0.5, 1e-6);
}

void
WrongKeyLossMatchesPerEntrySumAndIgnoresTheDiagonal()
{
  const std::int64_t m = 2;
  const std::int64_t n = 3;
  const torch::Tensor decrypted =
    torch::rand({ m, n, 1, 16, 16 }, torch::make_generator<at::CPUGeneratorImpl>(41)).requires_grad_();
  const torch::Tensor plain = UniformImages(m, 16, 16, 43);
  const torch::Tensor noise = torch::rand({ m, n, 1, 16, 16 }, torch::make_generator<at::CPUGeneratorImpl>(47));
  LossWeights weights;
  weights.histogramBins = 16;
  // M_ij with the public losses, one (i, j) at a time; sum over i != j divided by 6 - 2 = 4 entries.
  double expected = 0;
  for (std::int64_t i = 0; i < m; ++i)
  {
    for (std::int64_t j = 0; j < n; ++j)
    {
      if (i == j)
      {
        continue;
      }
      const torch::Tensor image = decrypted[i][j].unsqueeze(0).detach();
      expected += (image - noise[i][j].unsqueeze(0)).abs().mean().item<double>() +
                  StatsLoss(image, weights).item<double>() +
                  DiffusionLoss(image, plain[i].unsqueeze(0), weights).item<double>();
    }
  }
  expected /= 4.0;
  const torch::Tensor loss = WrongKeyLoss(decrypted, plain, noise, weights);
  EXPECT_NEAR(loss.item<double>(), expected, 1e-5);

  // The right key's decryptions (i == j) neither count nor get gradients.
  loss.backward();
  EXPECT_FALSE(AnyNonZero(decrypted.grad()[0][0]));
  EXPECT_FALSE(AnyNonZero(decrypted.grad()[1][1]));
  EXPECT_TRUE(AnyNonZero(decrypted.grad()[0][1]));
  EXPECT_TRUE(AllFinite(decrypted.grad()));
  const torch::Tensor changedDiagonal = decrypted.detach().clone();
  changedDiagonal[0][0].fill_(0.0f);
  changedDiagonal[1][1].fill_(1.0f);
  EXPECT_NEAR(WrongKeyLoss(changedDiagonal, plain, noise, weights).item<double>(), expected, 1e-5);

  // Only right keys: nothing to learn from, refused.
  EXPECT_THROW(WrongKeyLoss(decrypted.detach().narrow(1, 0, 1).narrow(0, 0, 1),
                            plain.narrow(0, 0, 1),
                            noise.narrow(1, 0, 1).narrow(0, 0, 1),
                            weights),
               c10::Error);
}

void
EncryptionAndDecryptionLossesAreTheWeightedSums()
{
  LossWeights weights;
  weights.stats = 2.0;
  weights.correlationTotal = 3.0;
  weights.diffusion = 5.0;
  weights.dissimilarity = 7.0;
  weights.wrongKey = 11.0;
  weights.similarity = 13.0;
  weights.reconstruction = 17.0;
  weights.twinCorrelation = 19.0;
  weights.batchHistogram = 23.0;
  const torch::Tensor cipher = UniformImages(2, 32, 32, 53).requires_grad_();
  const torch::Tensor changed = UniformImages(2, 32, 32, 59);
  const torch::Tensor alpha = torch::rand({ 2, 4 }, torch::make_generator<at::CPUGeneratorImpl>(61)).requires_grad_();
  const torch::Tensor ep = torch::rand({ 2, 4 }, torch::make_generator<at::CPUGeneratorImpl>(67));

  const EncryptionLossTerms encryption = EncryptionLoss(cipher, changed, { alpha }, { ep }, weights);
  EXPECT_NEAR(encryption.stats.item<double>(), StatsLoss(cipher, weights).item<double>(), 1e-6);
  EXPECT_NEAR(encryption.correlation.item<double>(), CorrelationTotalLoss(cipher, weights).item<double>(), 1e-6);
  EXPECT_NEAR(encryption.diffusion.item<double>(), DiffusionLoss(cipher, changed, weights).item<double>(), 1e-6);
  EXPECT_NEAR(encryption.dissimilarity.item<double>(), DissimilarityLoss({ alpha }, { ep }, 0.0).item<double>(), 1e-6);
  EXPECT_NEAR(encryption.twinCorrelation.item<double>(), TwinCorrelationLoss(cipher, changed).item<double>(), 1e-6);
  EXPECT_NEAR(encryption.batchHistogram.item<double>(), BatchHistogramLoss(cipher).item<double>(), 1e-6);
  EXPECT_NEAR(encryption.total.item<double>(),
              2 * encryption.stats.item<double>() + 3 * encryption.correlation.item<double>() +
                5 * encryption.diffusion.item<double>() + 7 * encryption.dissimilarity.item<double>() +
                19 * encryption.twinCorrelation.item<double>() + 23 * encryption.batchHistogram.item<double>(),
              1e-4);
  encryption.total.backward();
  EXPECT_TRUE(AllFinite(cipher.grad()));
  EXPECT_TRUE(AnyNonZero(cipher.grad()));
  EXPECT_TRUE(AnyNonZero(alpha.grad()));

  const torch::Tensor decrypted = UniformImages(2, 8, 8, 71).requires_grad_();
  const torch::Tensor plain = UniformImages(2, 8, 8, 73);
  const torch::Tensor wrongKey = torch::tensor(0.5f);
  const DecryptionLossTerms decryption = DecryptionLoss(wrongKey, { alpha }, { ep }, decrypted, plain, weights);
  const double similarity = SimilarityLoss({ alpha }, { ep }).item<double>();
  const double l1 = (decrypted - plain).abs().mean().item<double>();
  EXPECT_NEAR(decryption.reconstruction.item<double>(), l1, 1e-6);
  EXPECT_NEAR(decryption.total.item<double>(), 11 * 0.5 + 13 * similarity + 17 * l1, 1e-4);
  // No wrong-key batch this step: the term is 0.
  const DecryptionLossTerms noWrongKey = DecryptionLoss({}, { alpha }, { ep }, decrypted, plain, weights);
  EXPECT_EQ(noWrongKey.wrongKey.item<double>(), 0.0);
  EXPECT_NEAR(noWrongKey.total.item<double>(), 13 * similarity + 17 * l1, 1e-4);
  noWrongKey.total.backward();
  EXPECT_TRUE(AnyNonZero(decrypted.grad()));
}

void
BadBinCountsAreUserErrors()
{
  const torch::Tensor x = UniformImages(1, 4, 4, 79);
  EXPECT_THROW(SoftHistogram(x, 1), UserError);
  EXPECT_THROW(Histogram2DLoss(x, 0), UserError);
  EXPECT_THROW(SoftNPCR(x, x, 0.0), UserError);
}

void
CudaMatchesCpu()
{
  if (!torch::cuda::is_available())
  {
    GTEST_SKIP() << "no CUDA device in this LibTorch build";
  }
  const torch::Tensor x = UniformImages(2, 64, 64, 83);
  const torch::Tensor y = UniformImages(2, 64, 64, 89);
  const torch::Tensor xc = x.to(torch::kCUDA);
  const torch::Tensor yc = y.to(torch::kCUDA);
  EXPECT_NEAR(StatsLoss(xc).item<double>(), StatsLoss(x).item<double>(), 1e-4);
  EXPECT_NEAR(CorrelationTotalLoss(xc).item<double>(), CorrelationTotalLoss(x).item<double>(), 1e-4);
  EXPECT_NEAR(DiffusionLoss(xc, yc).item<double>(), DiffusionLoss(x, y).item<double>(), 1e-5);
  AttackSimulationOptions options;
  options.probability = 1.0;
  const torch::Tensor attackedCpu = SimulateAttacks(x, options, torch::make_generator<at::CPUGeneratorImpl>(97));
  const torch::Tensor attackedCuda = SimulateAttacks(xc, options, torch::make_generator<at::CPUGeneratorImpl>(97));
  EXPECT_TRUE(attackedCuda.is_cuda());
  EXPECT_LT((attackedCuda.cpu() - attackedCpu).abs().max().item<double>(), 1e-6);
}

// ---------------------------------------------------------------------------------------------------
// Attack simulation (guideline 2)

/** Uniform images kept away from 0 and 1, so that a pixel set to 0 or 1 always changes. */
torch::Tensor
CipherLikeImages(std::int64_t batch, std::int64_t size, std::uint64_t seed)
{
  return UniformImages(batch, size, size, seed) * 0.98 + 0.01;
}

void
SameSeedSameOutputAndRange()
{
  const torch::Tensor cipher = CipherLikeImages(16, 32, 101);
  AttackSimulationOptions options;
  options.probability = 0.8;
  const torch::Tensor first = SimulateAttacks(cipher, options, torch::make_generator<at::CPUGeneratorImpl>(7));
  const torch::Tensor second = SimulateAttacks(cipher, options, torch::make_generator<at::CPUGeneratorImpl>(7));
  const torch::Tensor other = SimulateAttacks(cipher, options, torch::make_generator<at::CPUGeneratorImpl>(8));
  EXPECT_TRUE(torch::equal(first, second));
  EXPECT_FALSE(torch::equal(first, other));
  EXPECT_FALSE(torch::equal(first, cipher));
  EXPECT_EQ(first.sizes(), cipher.sizes());
  EXPECT_GE(first.min().item<double>(), 0.0);
  EXPECT_LE(first.max().item<double>(), 1.0);
}

void
ConstantPixelsWithinTheFractionBound()
{
  AttackSimulationOptions options;
  options.probability = 1.0;
  options.maxConstantFraction = 0.05;
  options.maxRectangleFraction = 0.0;
  options.maxNoiseSigma = 0.0;
  const torch::Tensor cipher = CipherLikeImages(32, 32, 103);
  const torch::Tensor attacked = SimulateAttacks(cipher, options, torch::make_generator<at::CPUGeneratorImpl>(9));
  const std::int64_t most = static_cast<std::int64_t>(std::floor(0.05 * 32 * 32)); // 51
  std::int64_t largest = 0;
  for (std::int64_t b = 0; b < 32; ++b)
  {
    const torch::Tensor changed = attacked[b].ne(cipher[b]);
    const std::int64_t count = changed.sum().item<std::int64_t>();
    EXPECT_GE(count, 1) << b;
    EXPECT_LE(count, most) << b;
    largest = std::max(largest, count);
    const torch::Tensor values = attacked[b].masked_select(changed);
    EXPECT_TRUE((values.eq(0) | values.eq(1)).all().item<bool>()) << b;
  }
  // k is uniform in 1 .. 51: across 32 images the largest is near the bound.
  EXPECT_GT(largest, most / 2);
}

void
PermutedCellAttacksScatterTheRectangleAndAreReproducible()
{
  for (const std::uint32_t version : { 2u, 3u })
  {
    AttackSimulationOptions options;
    options.probability = 1.0;
    options.maxConstantFraction = 0.0;
    options.maxRectangleFraction = 0.25; // rectangles of at most 16 x 16 on 64 x 64 images
    options.maxNoiseSigma = 0.0;
    options.permutedLayout = CiphertextLayoutOf(version);
    const torch::Tensor cipher = CipherLikeImages(32, 64, 109);
    const torch::Tensor attacked = SimulateAttacks(cipher, options, torch::make_generator<at::CPUGeneratorImpl>(11));
    EXPECT_TRUE(
      torch::equal(attacked, SimulateAttacks(cipher, options, torch::make_generator<at::CPUGeneratorImpl>(11))));
    int scattered = 0;
    for (std::int64_t b = 0; b < 32; ++b)
    {
      const torch::Tensor changed = attacked[b][0].ne(cipher[b][0]);
      const std::int64_t count = changed.sum().item<std::int64_t>();
      ASSERT_GT(count, 0) << version << " " << b;
      EXPECT_LE(count, 16 * 16) << b; // a rectangle's worth of pixels, moved, not more
      const torch::Tensor values = attacked[b][0].masked_select(changed);
      EXPECT_TRUE((values.eq(0) | values.eq(1)).all().item<bool>()) << b;
      // Unchanged pixels are where they were: the shuffle is undone exactly.
      EXPECT_TRUE(torch::equal(attacked[b][0].masked_select(changed.logical_not()),
                               cipher[b][0].masked_select(changed.logical_not())))
        << b;
      const torch::Tensor where = changed.nonzero();
      const std::int64_t rows =
        where.select(1, 0).max().item<std::int64_t>() - where.select(1, 0).min().item<std::int64_t>() + 1;
      const std::int64_t columns =
        where.select(1, 1).max().item<std::int64_t>() - where.select(1, 1).min().item<std::int64_t>() + 1;
      scattered += rows > 16 || columns > 16; // no 16 x 16 rectangle spans more, a scattered one does
    }
    EXPECT_GT(scattered, 16) << version;
    // Images whose sides are not whole pools are refused.
    EXPECT_THROW(SimulateAttacks(CipherLikeImages(2, 60, 1), options), UserError);
    if (version == 3)
    {
      EXPECT_THROW(SimulateAttacks(CipherLikeImages(2, 56, 1), options), UserError);
    }
  }
}

void
RectangleWithinTheEdgeBound()
{
  AttackSimulationOptions options;
  options.probability = 1.0;
  options.maxConstantFraction = 0.0;
  options.maxRectangleFraction = 0.25;
  options.maxNoiseSigma = 0.0;
  const torch::Tensor cipher = CipherLikeImages(32, 40, 107);
  const torch::Tensor attacked = SimulateAttacks(cipher, options, torch::make_generator<at::CPUGeneratorImpl>(10));
  for (std::int64_t b = 0; b < 32; ++b)
  {
    const torch::Tensor changed = attacked[b][0].ne(cipher[b][0]);
    const torch::Tensor where = changed.nonzero(); // [count, 2] row, column
    ASSERT_GT(where.size(0), 0) << b;
    const std::int64_t height =
      where.select(1, 0).max().item<std::int64_t>() - where.select(1, 0).min().item<std::int64_t>() + 1;
    const std::int64_t width =
      where.select(1, 1).max().item<std::int64_t>() - where.select(1, 1).min().item<std::int64_t>() + 1;
    // A filled rectangle of at most floor(0.25 * 40) = 10 pixels each way, all one value 0 or 1.
    EXPECT_EQ(where.size(0), height * width) << b;
    EXPECT_LE(height, 10) << b;
    EXPECT_LE(width, 10) << b;
    const torch::Tensor values = attacked[b][0].masked_select(changed);
    EXPECT_TRUE(values.eq(values[0]).all().item<bool>()) << b;
    EXPECT_TRUE(values[0].item<float>() == 0.0f || values[0].item<float>() == 1.0f) << b;
  }
}

void
NoiseWithinTheSigmaBound()
{
  AttackSimulationOptions options;
  options.probability = 1.0;
  options.maxConstantFraction = 0.0;
  options.maxRectangleFraction = 0.0;
  options.maxNoiseSigma = 0.05;
  const torch::Tensor cipher = CipherLikeImages(16, 64, 109);
  const torch::Tensor attacked = SimulateAttacks(cipher, options, torch::make_generator<at::CPUGeneratorImpl>(11));
  EXPECT_GE(attacked.min().item<double>(), 0.0);
  EXPECT_LE(attacked.max().item<double>(), 1.0);
  for (std::int64_t b = 0; b < 16; ++b)
  {
    const torch::Tensor difference = attacked[b] - cipher[b];
    // Every pixel moves; the spread (clamping only shrinks it) is below the bound with room for the
    // sampling error of 4096 values (relative 1.1%).
    EXPECT_GT(difference.ne(0).sum().item<std::int64_t>(), 4096 * 9 / 10) << b;
    EXPECT_LT(difference.std().item<double>(), 0.05 * 1.05) << b;
  }
}

void
ProbabilityDecidesHowManyImagesAreAttacked()
{
  const torch::Tensor cipher = CipherLikeImages(200, 8, 113);
  AttackSimulationOptions options;
  options.probability = 0.5;
  const torch::Tensor attacked = SimulateAttacks(cipher, options, torch::make_generator<at::CPUGeneratorImpl>(12));
  const std::int64_t changedImages = attacked.ne(cipher).flatten(1).any(1).sum().item<std::int64_t>();
  // Binomial(200, 0.5): 100 +- 7.
  EXPECT_GT(changedImages, 70);
  EXPECT_LT(changedImages, 130);

  options.probability = 0.0;
  EXPECT_TRUE(torch::equal(SimulateAttacks(cipher, options, torch::make_generator<at::CPUGeneratorImpl>(12)), cipher));
  AttackSimulationOptions disabled;
  disabled.probability = 1.0;
  disabled.maxConstantFraction = 0.0;
  disabled.maxRectangleFraction = 0.0;
  disabled.maxNoiseSigma = 0.0;
  EXPECT_TRUE(torch::equal(SimulateAttacks(cipher, disabled, torch::make_generator<at::CPUGeneratorImpl>(12)), cipher));
  // The default generator works too.
  options.probability = 1.0;
  EXPECT_EQ(SimulateAttacks(cipher, options).sizes(), cipher.sizes());
}

void
GradientsFlowThroughUndamagedPixels()
{
  AttackSimulationOptions options;
  options.probability = 1.0;
  options.maxConstantFraction = 0.1;
  options.maxRectangleFraction = 0.0;
  options.maxNoiseSigma = 0.0;
  const torch::Tensor cipher = CipherLikeImages(2, 16, 127).requires_grad_();
  const torch::Tensor attacked = SimulateAttacks(cipher, options, torch::make_generator<at::CPUGeneratorImpl>(13));
  attacked.sum().backward();
  const torch::Tensor changed = attacked.detach().ne(cipher.detach());
  EXPECT_TRUE(cipher.grad().masked_select(changed).eq(0).all().item<bool>());
  EXPECT_TRUE(cipher.grad().masked_select(changed.logical_not()).eq(1).all().item<bool>());
}

void
BadOptionsAreUserErrors()
{
  const torch::Tensor cipher = CipherLikeImages(1, 8, 131);
  AttackSimulationOptions options;
  options.probability = 1.5;
  EXPECT_THROW(SimulateAttacks(cipher, options), UserError);
  options = {};
  options.maxRectangleFraction = -0.1;
  EXPECT_THROW(SimulateAttacks(cipher, options), UserError);
  options = {};
  options.maxNoiseSigma = -1.0;
  EXPECT_THROW(SimulateAttacks(cipher, options), UserError);
}

// ---------------------------------------------------------------------------------------------------
// The checks above grouped into few GoogleTest cases: CTest runs each case in its own process and
// loading LibTorch costs about a second of CPU per process.

TEST(Losses, SoftHistogramAndHistogramLoss)
{
  {
    SCOPED_TRACE("SoftHistogramOfTwoValuesWithTwoBins");
    SoftHistogramOfTwoValuesWithTwoBins();
  }
  {
    SCOPED_TRACE("SoftHistogramMatchesNaiveKernel");
    SoftHistogramMatchesNaiveKernel();
  }
  {
    SCOPED_TRACE("HistogramLossHandWorkedAndGradient");
    HistogramLossHandWorkedAndGradient();
  }
}

TEST(Losses, Entropy)
{
  {
    SCOPED_TRACE("EntropyHandWorked");
    EntropyHandWorked();
  }
  {
    SCOPED_TRACE("EntropyGradientFiniteWithEmptyBins");
    EntropyGradientFiniteWithEmptyBins();
  }
}

TEST(Losses, Correlation)
{
  {
    SCOPED_TRACE("CorrelationOfHandWorkedImages");
    CorrelationOfHandWorkedImages();
  }
  {
    SCOPED_TRACE("CorrelationMatchesNaiveImplementation");
    CorrelationMatchesNaiveImplementation();
  }
  {
    SCOPED_TRACE("CorrelationOfConstantImageIsFinite");
    CorrelationOfConstantImageIsFinite();
  }
  {
    SCOPED_TRACE("CorrelationGradientFlows");
    CorrelationGradientFlows();
  }
}

TEST(Losses, Histogram2D)
{
  {
    SCOPED_TRACE("SoftHistogram2DHandWorked");
    SoftHistogram2DHandWorked();
  }
  {
    SCOPED_TRACE("SoftHistogram2DMatchesNaiveKernel");
    SoftHistogram2DMatchesNaiveKernel();
  }
}

TEST(Losses, UniformRandomImagesAreNearTheIdeal)
{
  {
    SCOPED_TRACE("UniformImageEntropyCloseToHardHistogramEntropy");
    UniformImageEntropyCloseToHardHistogramEntropy();
  }
  {
    SCOPED_TRACE("UniformImageHistogramLossNearItsFloor");
    UniformImageHistogramLossNearItsFloor();
  }
  {
    SCOPED_TRACE("UniformImageCorrelationsNearZero");
    UniformImageCorrelationsNearZero();
  }
  {
    SCOPED_TRACE("UniformImageHistogram2DLossNearItsFloorAndGradientFlows");
    UniformImageHistogram2DLossNearItsFloorAndGradientFlows();
  }
  {
    SCOPED_TRACE("IndependentUniformImagesDiffusion");
    IndependentUniformImagesDiffusion();
  }
}

TEST(Losses, NPCRAndUACI)
{
  NPCRAndUACIOfTwo2x2Images();
}

TEST(Losses, TwinCorrelation)
{
  TwinCorrelationOfTwo2x2Images();
}

TEST(Losses, BatchHistogramPoolsTheBatch)
{
  // 4 bins with centres 0.125, 0.375, 0.625, 0.875. Image a fills the lower two bins, image b the upper
  // two (counts 2, 2, 0, 0 and 0, 0, 2, 2): each alone is as far from uniform as the histogram loss goes
  // here, mean((4 p - 1)^2) = 1, but pooled they are uniform (2 in each bin): 0. Two copies of a share
  // their shape, and pooled they stay at 1.
  const torch::Tensor a = torch::tensor({ 0.125f, 0.125f, 0.375f, 0.375f }).view({ 1, 1, 2, 2 });
  const torch::Tensor b = torch::tensor({ 0.625f, 0.625f, 0.875f, 0.875f }).view({ 1, 1, 2, 2 });
  EXPECT_NEAR(BatchHistogramLoss(a, 4).item<double>(), 1.0, 1e-6);
  EXPECT_NEAR(BatchHistogramLoss(torch::cat({ a, b }), 4).item<double>(), 0.0, 1e-6);
  const torch::Tensor shared = torch::cat({ a, a }).requires_grad_();
  const torch::Tensor loss = BatchHistogramLoss(shared, 4);
  EXPECT_NEAR(loss.item<double>(), 1.0, 1e-6);
  loss.backward();
  EXPECT_TRUE(torch::isfinite(shared.grad()).all().item<bool>());
}

TEST(Losses, DiffusionOnRanksIgnoresASharedHistogramShape)
{
  // Two independent uniform ciphertext batches, then both pushed towards 0 and 1 by the same rising map
  // g(u) = 1/2 + sign(2u - 1) |2u - 1|^(1/3) / 2 (a U-shaped histogram that every image shares). That shape
  // alone raises the mean |C - C'| from 1/3 to about 0.4286 (E|g(U1) - g(U2)|, numerically), which is what
  // L_diff rewards; on the pooled ranks both versions give the same values, about 1/3.
  const torch::Tensor u1 = UniformImages(2, 64, 64, 83);
  const torch::Tensor u2 = UniformImages(2, 64, 64, 89);
  const auto shared = [](const torch::Tensor & u)
  {
    const torch::Tensor v = 2.0 * u - 1.0;
    return 0.5 + 0.5 * v.sign() * v.abs().pow(1.0 / 3.0);
  };
  const torch::Tensor c1 = shared(u1).requires_grad_();
  const torch::Tensor c2 = shared(u2);
  EXPECT_NEAR(UACI(c1, c2).mean().item<double>(), 0.4286, 0.01);
  EXPECT_NEAR(UACI(u1, u2).mean().item<double>(), 1.0 / 3.0, 0.01);

  const auto [r1, r2] = PooledRanks(c1, c2);
  const auto [q1, q2] = PooledRanks(u1, u2);
  // Ranks do not see a rising map: equal up to the 1024-segment interpolation and quantile noise.
  EXPECT_LT((r1 - q1).abs().max().item<double>(), 2.0 / 1024);
  EXPECT_LT((r2 - q2).abs().max().item<double>(), 2.0 / 1024);
  EXPECT_NEAR(UACI(r1, r2).mean().item<double>(), 1.0 / 3.0, 0.01);
  // Pooled, the ranks are uniform: the batch histogram loss sits at its sampling floor (about
  // 256 / 16384 * 2/3 = 0.0104 for these 16,384 values), far below the shaped values (about 0.83).
  EXPECT_LT(BatchHistogramLoss(torch::cat({ r1, r2 })).item<double>(), 0.02);
  EXPECT_GT(BatchHistogramLoss(torch::cat({ c1.detach(), c2 })).item<double>(), 0.5);

  LossWeights weights;
  weights.diffusionOnRanks = true;
  const torch::Tensor alpha = torch::rand({ 2, 4 }, torch::make_generator<at::CPUGeneratorImpl>(97));
  const EncryptionLossTerms terms = EncryptionLoss(c1, c2, { alpha }, { alpha }, weights);
  EXPECT_NEAR(terms.diffusion.item<double>(), DiffusionLoss(r1, r2, weights).item<double>(), 1e-6);
  // On the values, the same weights see the shape's UACI 0.4286 (0.1 x 0.095 over the ideal); on ranks not.
  EXPECT_LT(terms.diffusion.item<double>(), DiffusionLoss(c1, c2, weights).item<double>() - 0.005);
  terms.diffusion.backward();
  EXPECT_TRUE(AllFinite(c1.grad()));
  EXPECT_TRUE(AnyNonZero(c1.grad()));
  EXPECT_THROW(PooledRanks(c1, c2.narrow(0, 0, 1)), c10::Error);
}

TEST(Losses, TwinCorrelationOnRanksIgnoresASharedHistogramShape)
{
  // Twins as the network makes them: logits z1, z2 with correlation 0.5, through a sigmoid. With gain 1.7
  // the values are near uniform; with gain 4 the same twins have a U-shaped histogram (every image alike),
  // which lowers their Pearson correlation (about 0.48 -> 0.43 for Gaussian logits): the twin-correlation
  // loss on values rewards the shared shape. The ranks of both versions are the same.
  auto generator = torch::make_generator<at::CPUGeneratorImpl>(101);
  const torch::Tensor z1 = torch::randn({ 2, 1, 128, 128 }, generator, torch::kFloat);
  const torch::Tensor z2 = 0.5 * z1 + std::sqrt(0.75) * torch::randn({ 2, 1, 128, 128 }, generator, torch::kFloat);
  const torch::Tensor u1 = torch::sigmoid(1.7 * z1);
  const torch::Tensor u2 = torch::sigmoid(1.7 * z2);
  const torch::Tensor c1 = torch::sigmoid(4.0 * z1).requires_grad_();
  const torch::Tensor c2 = torch::sigmoid(4.0 * z2);
  const double plain = TwinCorrelationLoss(u1, u2).item<double>();
  const double shaped = TwinCorrelationLoss(c1, c2).item<double>();
  EXPECT_NEAR(plain, 0.48, 0.03);
  EXPECT_LT(shaped, plain - 0.02);

  const auto [r1, r2] = PooledRanks(c1, c2);
  const auto [q1, q2] = PooledRanks(u1, u2);
  EXPECT_NEAR(TwinCorrelationLoss(r1, r2).item<double>(), TwinCorrelationLoss(q1, q2).item<double>(), 2e-3);

  LossWeights weights;
  weights.twinCorrelationOnRanks = true;
  const torch::Tensor alpha = torch::rand({ 2, 4 }, torch::make_generator<at::CPUGeneratorImpl>(107));
  const EncryptionLossTerms terms = EncryptionLoss(c1, c2, { alpha }, { alpha }, weights);
  EXPECT_NEAR(terms.twinCorrelation.item<double>(), TwinCorrelationLoss(r1, r2).item<double>(), 1e-6);
  EXPECT_GT(terms.twinCorrelation.item<double>(), shaped + 0.02);
  // Only the twin correlation moved to ranks: L_diff and L_c are still taken on the values.
  EXPECT_NEAR(terms.diffusion.item<double>(), DiffusionLoss(c1, c2, weights).item<double>(), 1e-6);
  EXPECT_NEAR(terms.correlation.item<double>(), CorrelationTotalLoss(c1, weights).item<double>(), 1e-6);
  terms.twinCorrelation.backward();
  EXPECT_TRUE(AllFinite(c1.grad()));
  EXPECT_TRUE(AnyNonZero(c1.grad()));
}

TEST(Losses, CorrelationOnRanksIgnoresASharedHistogramShape)
{
  // Neighbours that share noise: z = (n + n shifted right + n shifted down) / sqrt(3) gives horizontal and
  // vertical correlation 1/3 between logits. Gain 4 instead of 1.7 (a shared U shape) lowers the Pearson
  // correlation of neighbours, so L_c on values rewards the shape; on the pooled ranks it cannot.
  auto generator = torch::make_generator<at::CPUGeneratorImpl>(109);
  const torch::Tensor n = torch::randn({ 2, 1, 129, 129 }, generator, torch::kFloat);
  using torch::indexing::None;
  using torch::indexing::Slice;
  const torch::Tensor z = (n.index({ Slice(), Slice(), Slice(1, None), Slice(1, None) }) +
                           n.index({ Slice(), Slice(), Slice(1, None), Slice(None, -1) }) +
                           n.index({ Slice(), Slice(), Slice(None, -1), Slice(1, None) })) /
                          std::sqrt(3.0);
  const torch::Tensor twin = torch::randn({ 2, 1, 128, 128 }, generator, torch::kFloat);
  const torch::Tensor plain = torch::sigmoid(1.7 * z);
  const torch::Tensor c1 = torch::sigmoid(4.0 * z).requires_grad_();
  const torch::Tensor c2 = torch::sigmoid(4.0 * twin);
  LossWeights weights;
  EXPECT_LT(CorrelationLoss(c1).item<double>(), CorrelationLoss(plain).item<double>() - 0.005);

  const auto [r1, r2] = PooledRanks(c1, c2);
  const auto [q1, q2] = PooledRanks(plain, torch::sigmoid(1.7 * twin));
  EXPECT_NEAR(CorrelationTotalLoss(r1, weights).item<double>(), CorrelationTotalLoss(q1, weights).item<double>(), 2e-3);

  weights.correlationOnRanks = true;
  const torch::Tensor alpha = torch::rand({ 2, 4 }, torch::make_generator<at::CPUGeneratorImpl>(113));
  const EncryptionLossTerms terms = EncryptionLoss(c1, c2, { alpha }, { alpha }, weights);
  EXPECT_NEAR(terms.correlation.item<double>(), CorrelationTotalLoss(r1, weights).item<double>(), 1e-6);
  EXPECT_NEAR(terms.twinCorrelation.item<double>(), TwinCorrelationLoss(c1, c2).item<double>(), 1e-6);
  terms.correlation.backward();
  EXPECT_TRUE(AllFinite(c1.grad()));
  EXPECT_TRUE(AnyNonZero(c1.grad()));
}

TEST(Losses, CosineLosses)
{
  {
    SCOPED_TRACE("DissimilarityAndSimilarityHandWorked");
    DissimilarityAndSimilarityHandWorked();
  }
  {
    SCOPED_TRACE("CosineLossesAverageOverTheBatch");
    CosineLossesAverageOverTheBatch();
  }
}

TEST(Losses, WrongKeyLoss)
{
  WrongKeyLossMatchesPerEntrySumAndIgnoresTheDiagonal();
}

TEST(Losses, EncryptionAndDecryptionLosses)
{
  EncryptionAndDecryptionLossesAreTheWeightedSums();
}

TEST(Losses, CudaMatchesCpu)
{
  CudaMatchesCpu();
}

TEST(AttackSimulation, ReproducibleInRangeAndDifferentiable)
{
  {
    SCOPED_TRACE("SameSeedSameOutputAndRange");
    SameSeedSameOutputAndRange();
  }
  {
    SCOPED_TRACE("ProbabilityDecidesHowManyImagesAreAttacked");
    ProbabilityDecidesHowManyImagesAreAttacked();
  }
  {
    SCOPED_TRACE("GradientsFlowThroughUndamagedPixels");
    GradientsFlowThroughUndamagedPixels();
  }
}

TEST(AttackSimulation, EachKindWithinItsBound)
{
  {
    SCOPED_TRACE("ConstantPixelsWithinTheFractionBound");
    ConstantPixelsWithinTheFractionBound();
  }
  {
    SCOPED_TRACE("RectangleWithinTheEdgeBound");
    RectangleWithinTheEdgeBound();
  }
  {
    SCOPED_TRACE("NoiseWithinTheSigmaBound");
    NoiseWithinTheSigmaBound();
  }
}

TEST(AttackSimulation, PermutedCells)
{
  PermutedCellAttacksScatterTheRectangleAndAreReproducible();
}

// What format 4's pool digests would tell decryption about a simulated attack (the trainer's
// --refine-attacked): the same damage as SimulateAttacks, every changed pixel marked, and whole pools.
TEST(AttackSimulation, AuthenticPoolsMarkEveryChangedPixelInWholePools)
{
  AttackSimulationOptions options;
  options.probability = 1.0;
  options.maxConstantFraction = 0.0;
  options.maxRectangleFraction = 0.25; // at most 16 x 16: it touches at most 4 stored pools of 16 x 16
  options.maxNoiseSigma = 0.0;
  options.permutedLayout = CiphertextLayoutOf(4);
  const torch::Tensor cipher = CipherLikeImages(16, 64, 113);
  const SimulatedAttacks attacked =
    SimulateAttacksWithAuthenticPools(cipher, options, torch::make_generator<at::CPUGeneratorImpl>(13));
  EXPECT_TRUE(
    torch::equal(attacked.damaged, SimulateAttacks(cipher, options, torch::make_generator<at::CPUGeneratorImpl>(13))));
  ASSERT_EQ(attacked.authentic.sizes(), cipher.sizes());
  int wider = 0;
  for (std::int64_t b = 0; b < 16; ++b)
  {
    const torch::Tensor changed = attacked.damaged[b].ne(cipher[b]);
    const torch::Tensor unknown = attacked.authentic[b].eq(0);
    EXPECT_TRUE((attacked.authentic[b].eq(0) | attacked.authentic[b].eq(1)).all().item<bool>()) << b;
    EXPECT_TRUE(unknown.masked_select(changed).all().item<bool>()) << b << ": a changed pixel is marked authentic";
    const std::int64_t count = unknown.sum().item<std::int64_t>();
    EXPECT_EQ(count % 256, 0) << b << ": whole pools of 256 pixels";
    EXPECT_GE(count, 256) << b;
    EXPECT_LE(count, 4 * 256) << b;
    wider += count > changed.sum().item<std::int64_t>(); // the pools' unchanged pixels are unknown too
  }
  EXPECT_GT(wider, 8);

  // Noise changes every pool; no attack leaves every pixel authentic; without a stored layout the
  // changed pixels alone are marked.
  options.maxRectangleFraction = 0.0;
  options.maxNoiseSigma = 0.02;
  EXPECT_TRUE(SimulateAttacksWithAuthenticPools(cipher, options, torch::make_generator<at::CPUGeneratorImpl>(1))
                .authentic.eq(0)
                .all()
                .item<bool>());
  options.probability = 0.0;
  EXPECT_TRUE(SimulateAttacksWithAuthenticPools(cipher, options).authentic.eq(1).all().item<bool>());
  options.probability = 1.0;
  options.maxNoiseSigma = 0.0;
  options.maxRectangleFraction = 0.25;
  options.permutedLayout.reset();
  const SimulatedAttacks plain =
    SimulateAttacksWithAuthenticPools(cipher, options, torch::make_generator<at::CPUGeneratorImpl>(2));
  EXPECT_TRUE(torch::equal(plain.authentic.eq(0), plain.damaged.ne(cipher)));
}

// SSIM (not in the paper; the trainer's --refined-ssim-weight): constants, a single window computed by hand,
// identity, and a gradient step towards the reference raising it.
TEST(Losses, StructuralSimilarity)
{
  const double c1 = 0.01 * 0.01;
  const double c2 = 0.03 * 0.03;
  {
    SCOPED_TRACE("constant images: only the luminance term is left");
    const at::Tensor a = torch::full({ 1, 1, 16, 16 }, 0.2, torch::kFloat64);
    const at::Tensor b = torch::full({ 1, 1, 16, 16 }, 0.5, torch::kFloat64);
    EXPECT_NEAR(StructuralSimilarity(a, b).item<double>(), (2 * 0.2 * 0.5 + c1) / (0.2 * 0.2 + 0.5 * 0.5 + c1), 1e-6);
  }
  {
    SCOPED_TRACE("one 11 x 11 window: a checkerboard against its inverse");
    // Gaussian weights w_i w_j (sigma 1.5, normalised); x = 1 where i + j is even, y = 1 - x. With
    // s = sum_i (-1)^i w_i, the weight of the even cells is (1 + s^2) / 2.
    std::array<double, 11> w{};
    double sum = 0.0;
    for (int i = 0; i < 11; ++i)
    {
      w[i] = std::exp(-(i - 5) * (i - 5) / (2.0 * 1.5 * 1.5));
      sum += w[i];
    }
    double s = 0.0;
    for (int i = 0; i < 11; ++i)
    {
      s += (i % 2 == 0 ? 1.0 : -1.0) * w[i] / sum;
    }
    const double muX = (1.0 + s * s) / 2.0;
    const double muY = 1.0 - muX;
    const double variance = muX - muX * muX; // of x and of y; their covariance is -variance
    const double expected =
      (2 * muX * muY + c1) * (-2 * variance + c2) / ((muX * muX + muY * muY + c1) * (2 * variance + c2));
    const at::Tensor index = torch::arange(11, torch::kFloat64);
    const at::Tensor x =
      ((index.view({ 11, 1 }) + index.view({ 1, 11 })).remainder(2) == 0).to(torch::kFloat64).view({ 1, 1, 11, 11 });
    EXPECT_NEAR(StructuralSimilarity(x, 1.0 - x).item<double>(), expected, 1e-12);
    EXPECT_LT(expected, -0.9); // anticorrelated structure
  }
  {
    SCOPED_TRACE("identity, symmetry, and a gradient step towards the reference");
    auto generator = at::make_generator<at::CPUGeneratorImpl>(7);
    const at::Tensor reference = torch::rand({ 2, 1, 24, 24 }, generator);
    const at::Tensor noisy = (reference + 0.1 * torch::randn({ 2, 1, 24, 24 }, generator)).clamp(0.0, 1.0);
    const at::Tensor same = StructuralSimilarity(reference, reference);
    ASSERT_EQ(same.sizes(), (std::vector<int64_t>{ 2 }));
    EXPECT_NEAR(same[0].item<double>(), 1.0, 1e-5);
    EXPECT_NEAR(same[1].item<double>(), 1.0, 1e-5);
    EXPECT_TRUE(torch::allclose(StructuralSimilarity(noisy, reference), StructuralSimilarity(reference, noisy)));
    at::Tensor estimate = noisy.clone().requires_grad_(true);
    const at::Tensor before = StructuralSimilarity(estimate, reference).mean();
    (1.0 - before).backward();
    ASSERT_TRUE(torch::isfinite(estimate.grad()).all().item<bool>());
    const at::Tensor stepped = (estimate - 0.5 * estimate.grad()).detach();
    EXPECT_GT(StructuralSimilarity(stepped, reference).mean().item<double>(), before.item<double>() + 1e-3);
  }
  EXPECT_THROW(StructuralSimilarity(torch::rand({ 1, 1, 10, 12 }), torch::rand({ 1, 1, 10, 12 })), c10::Error);
  EXPECT_THROW(StructuralSimilarity(torch::rand({ 1, 2, 12, 12 }), torch::rand({ 1, 2, 12, 12 })), c10::Error);
}

TEST(Losses, DecryptionLossAddsTheWeightedStructureTerm)
{
  // Constant images: the window variances and covariance are 0, so SSIM is the luminance term alone,
  // (2 mu_x mu_y + c1) / (mu_x^2 + mu_y^2 + c1) with c1 = 0.01^2, and the L1 error is |0.2 - 0.5|.
  const torch::Tensor decrypted = torch::full({ 2, 1, 16, 16 }, 0.2).requires_grad_();
  const torch::Tensor plain = torch::full({ 2, 1, 16, 16 }, 0.5);
  const torch::Tensor alpha = torch::rand({ 2, 4 }, torch::make_generator<at::CPUGeneratorImpl>(61));
  const double c1 = 0.01 * 0.01;
  const double dssim = 1.0 - (2 * 0.2 * 0.5 + c1) / (0.2 * 0.2 + 0.5 * 0.5 + c1);
  const double similarity = SimilarityLoss({ alpha }, { alpha }).item<double>();
  LossWeights weights;
  weights.similarity = 7.0;
  weights.reconstruction = 3.0;
  const DecryptionLossTerms off = DecryptionLoss({}, { alpha }, { alpha }, decrypted, plain, weights);
  EXPECT_EQ(off.structure.item<double>(), 0.0); // weight 0: not computed
  EXPECT_NEAR(off.total.item<double>(), 7 * similarity + 3 * 0.3, 1e-5);
  weights.structure = 5.0;
  const DecryptionLossTerms on = DecryptionLoss({}, { alpha }, { alpha }, decrypted, plain, weights);
  EXPECT_NEAR(on.structure.item<double>(), dssim, 1e-6);
  EXPECT_NEAR(on.total.item<double>(), 7 * similarity + 3 * 0.3 + 5 * dssim, 1e-5);
  on.total.backward();
  EXPECT_TRUE(AllFinite(decrypted.grad()));
  EXPECT_TRUE(AnyNonZero(decrypted.grad()));
  // A perfect decryption has no structure error.
  EXPECT_NEAR(DecryptionLoss({}, { alpha }, { alpha }, plain, plain, weights).structure.item<double>(), 0.0, 1e-5);
}

TEST(Losses, ContractionLossIsTheLogShortfallOfEachImagesGainBelowTheFloor)
{
  // Three images; the plaintext moves by a constant 0.1 (rms 0.1) in the first two and not at all in the third.
  const torch::Tensor plain = torch::full({ 3, 1, 8, 8 }, 0.4);
  torch::Tensor shiftedPlain = plain.clone();
  shiftedPlain.narrow(0, 0, 2).add_(0.1);
  const torch::Tensor cipher = torch::full({ 3, 1, 8, 8 }, 0.5);
  // Gains: 0.001 / 0.1 = 0.01 (below the floor 0.1), 0.05 / 0.1 = 0.5 (above it), and the third uncounted.
  torch::Tensor shifted = cipher.clone();
  shifted[0].add_(0.001);
  shifted[1].add_(0.05);
  shifted[2].add_(0.2);
  shifted.requires_grad_();
  const torch::Tensor loss = ContractionLoss(shifted, cipher, shiftedPlain, plain, 0.1);
  EXPECT_NEAR(loss.item<double>(), std::log(10.0) / 3.0, 1e-4); // (log 0.1 - log 0.01 + 0 + 0) / 3
  loss.backward();
  // Only the contracted image pulls its ciphertext change up (the loss falls as the change grows).
  EXPECT_LT(shifted.grad()[0].sum().item<double>(), 0.0);
  EXPECT_EQ(shifted.grad()[1].abs().sum().item<double>(), 0.0);
  EXPECT_EQ(shifted.grad()[2].abs().sum().item<double>(), 0.0);
  EXPECT_THROW(ContractionLoss(shifted, cipher, shiftedPlain, plain, 0.0), c10::Error);
}

TEST(Losses, BadArgumentsAreRejected)
{
  {
    SCOPED_TRACE("BadBinCountsAreUserErrors");
    BadBinCountsAreUserErrors();
  }
  {
    SCOPED_TRACE("BadOptionsAreUserErrors");
    BadOptionsAreUserErrors();
  }
}

} // namespace

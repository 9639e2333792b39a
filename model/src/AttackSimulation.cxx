// Guideline 2 of the paper: simulated transmission damage on ciphertexts (see AttackSimulation.h).
#include "medcrypt/AttackSimulation.h"

#include "medcrypt/Error.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace medcrypt
{
namespace
{

enum class AttackKind
{
  Constants,
  Rectangle,
  Noise
};

void
CheckRange(double value, double low, double high, const char * name)
{
  if (!(value >= low && value <= high))
  {
    throw UserError(std::string("attack simulation option ") + name + " must be in [" + std::to_string(low) + ", " +
                    std::to_string(high) + "] (got " + std::to_string(value) + ")");
  }
}

/** The attack kinds whose bound is positive, in a fixed order (so that a seed gives the same choices). */
std::vector<AttackKind>
EnabledKinds(const AttackSimulationOptions & options)
{
  std::vector<AttackKind> kinds;
  if (options.maxConstantFraction > 0.0)
  {
    kinds.push_back(AttackKind::Constants);
  }
  if (options.maxRectangleFraction > 0.0)
  {
    kinds.push_back(AttackKind::Rectangle);
  }
  if (options.maxNoiseSigma > 0.0)
  {
    kinds.push_back(AttackKind::Noise);
  }
  return kinds;
}

/** Every random draw of the simulation, made with one generator on that generator's device. */
class RandomDraws
{
public:
  /** An undefined generator stands for the default generator of `device`. */
  RandomDraws(at::Generator generator, torch::Device device)
    : m_Device(device)
  {
    // Some kernels (randperm on the CPU) dereference a present-but-undefined generator: pass none.
    if (generator.defined())
    {
      m_Generator = std::move(generator);
    }
  }

  /** Uniform in [0, 1). */
  double
  Uniform()
  {
    return torch::rand({ 1 }, m_Generator, torch::TensorOptions().dtype(torch::kDouble).device(m_Device))
      .item<double>();
  }

  /** Uniform integer in [low, high]. */
  std::int64_t
  Integer(std::int64_t low, std::int64_t high)
  {
    const auto offset = static_cast<std::int64_t>(std::floor(Uniform() * static_cast<double>(high - low + 1)));
    return std::min(low + offset, high);
  }

  /** `shape` values uniform in [0, 1), as floats. */
  torch::Tensor
  UniformValues(at::IntArrayRef shape)
  {
    return torch::rand(shape, m_Generator, torch::TensorOptions().dtype(torch::kFloat).device(m_Device));
  }

  /** `count` distinct indices in [0, size), in random order. */
  torch::Tensor
  DistinctIndices(std::int64_t size, std::int64_t count)
  {
    return torch::randperm(size, m_Generator, torch::TensorOptions().dtype(torch::kLong).device(m_Device))
      .slice(0, 0, count);
  }

  /** `count` values, each 0 or 1 with equal chance. */
  torch::Tensor
  Bits(std::int64_t count, const torch::TensorOptions & options)
  {
    return torch::randint(0, 2, { count }, m_Generator, options.device(m_Device));
  }

  /** Standard normal values. */
  torch::Tensor
  Normal(torch::IntArrayRef sizes, const torch::TensorOptions & options)
  {
    return torch::randn(sizes, m_Generator, options.device(m_Device));
  }

private:
  c10::optional<at::Generator> m_Generator;
  torch::Device m_Device;
};

/** Sets k random distinct pixels of image [C, H, W] to 0 or 1. */
torch::Tensor
SetRandomPixels(const torch::Tensor & image, double maxFraction, RandomDraws & draws)
{
  const std::int64_t pixels = image.numel();
  const auto most = std::max<std::int64_t>(1, static_cast<std::int64_t>(std::floor(maxFraction * pixels)));
  const std::int64_t count = draws.Integer(1, most);
  const torch::Tensor indices = draws.DistinctIndices(pixels, count).to(image.device());
  const torch::Tensor values = draws.Bits(count, image.options()).to(image.device());
  const torch::Tensor mask =
    torch::zeros({ pixels }, image.options().dtype(torch::kBool)).index_fill(0, indices, true).view(image.sizes());
  const torch::Tensor replacement = torch::zeros({ pixels }, image.options()).index_copy(0, indices, values);
  return torch::where(mask, replacement.view(image.sizes()), image);
}

/** Sets a random rectangle of image [C, H, W] (all channels) to 0 or 1. */
torch::Tensor
FillRectangle(const torch::Tensor & image, double maxFraction, RandomDraws & draws)
{
  const std::int64_t rows = image.size(1);
  const std::int64_t columns = image.size(2);
  const auto mostRows = std::max<std::int64_t>(1, static_cast<std::int64_t>(std::floor(maxFraction * rows)));
  const auto mostColumns = std::max<std::int64_t>(1, static_cast<std::int64_t>(std::floor(maxFraction * columns)));
  const std::int64_t height = draws.Integer(1, mostRows);
  const std::int64_t width = draws.Integer(1, mostColumns);
  const std::int64_t top = draws.Integer(0, rows - height);
  const std::int64_t left = draws.Integer(0, columns - width);
  const double value = static_cast<double>(draws.Integer(0, 1));
  using torch::indexing::Slice;
  torch::Tensor mask = torch::zeros({ rows, columns }, image.options().dtype(torch::kBool));
  mask.index_put_({ Slice(top, top + height), Slice(left, left + width) }, true);
  return image.masked_fill(mask, value);
}

/** Adds Gaussian noise of a random standard deviation below maxSigma, clamped to [0, 1]. */
torch::Tensor
AddNoise(const torch::Tensor & image, double maxSigma, RandomDraws & draws)
{
  const double sigma = draws.Uniform() * maxSigma;
  const torch::Tensor noise = draws.Normal(image.sizes(), image.options()).to(image.device());
  return (image + sigma * noise).clamp(0.0, 1.0);
}

} // namespace

void
ValidateAttackSimulationOptions(const AttackSimulationOptions & options)
{
  CheckRange(options.probability, 0.0, 1.0, "probability");
  CheckRange(options.maxConstantFraction, 0.0, 1.0, "maxConstantFraction");
  CheckRange(options.maxRectangleFraction, 0.0, 1.0, "maxRectangleFraction");
  if (!(options.maxNoiseSigma >= 0.0) || !std::isfinite(options.maxNoiseSigma))
  {
    throw UserError("attack simulation option maxNoiseSigma must be a finite number >= 0 (got " +
                    std::to_string(options.maxNoiseSigma) + ")");
  }
}

namespace
{

/** Indices of a square grid: element (p, q) is the image index of pixel q (row-major) of square p
 * (row-major) when an image of width `width` is cut into squares of `edge`; `within` (same shape or
 * broadcastable) replaces q where given. */
torch::Tensor
SquarePixels(const torch::Tensor & square, const torch::Tensor & within, std::int64_t edge, std::int64_t width)
{
  const std::int64_t columns = width / edge;
  return (square.div(columns, "floor") * edge + within.div(edge, "floor")) * width + square.remainder(columns) * edge +
         within.remainder(edge);
}

/** A random layout of an H x W image as a cipher format of `layout` stores it: element i is the index of
 * the pixel stored at i (cells shuffled across the image, then the pixels inside each pool). */
torch::Tensor
RandomStoredLayout(std::int64_t height, std::int64_t width, const CiphertextLayout & layout, RandomDraws & draws)
{
  const std::int64_t edge = layout.cellEdge;
  const std::int64_t pool = layout.poolEdge;
  const std::int64_t cells = (height / edge) * (width / edge);
  const std::int64_t pools = (height / pool) * (width / pool);
  const torch::Tensor source = draws.DistinctIndices(cells, cells); // network cell of stored cell d
  const torch::Tensor inside = draws.UniformValues({ pools, pool * pool }).argsort(/*dim=*/1, /*descending=*/false);
  const auto longs = torch::TensorOptions().dtype(torch::kLong).device(source.device());
  const torch::Tensor q = torch::arange(edge * edge, longs).unsqueeze(0);
  const torch::Tensor moved =
    torch::empty({ height * width }, longs)
      .index_copy_(0,
                   SquarePixels(torch::arange(cells, longs).unsqueeze(1), q, edge, width).reshape(-1),
                   SquarePixels(source.unsqueeze(1), q, edge, width).reshape(-1));
  const torch::Tensor p = torch::arange(pools, longs).unsqueeze(1);
  const torch::Tensor to = SquarePixels(p, torch::arange(pool * pool, longs).unsqueeze(0), pool, width);
  const torch::Tensor from = moved.index_select(0, SquarePixels(p, inside, pool, width).reshape(-1));
  return torch::empty({ height * width }, longs).index_copy_(0, to.reshape(-1), from);
}

} // namespace

torch::Tensor
SimulateAttacks(const torch::Tensor & cipher, const AttackSimulationOptions & options, at::Generator generator)
{
  return SimulateAttacksWithAuthenticPools(cipher, options, std::move(generator)).damaged;
}

SimulatedAttacks
SimulateAttacksWithAuthenticPools(const torch::Tensor & cipher,
                                  const AttackSimulationOptions & options,
                                  at::Generator generator)
{
  ValidateAttackSimulationOptions(options);
  TORCH_CHECK(cipher.defined() && cipher.dim() == 4 && cipher.numel() > 0,
              "SimulateAttacks: cipher must be a non-empty [B, C, H, W] tensor, got ",
              cipher.sizes());
  TORCH_CHECK(cipher.is_floating_point(), "SimulateAttacks: cipher must be a floating-point tensor");
  const std::int64_t height = cipher.size(2);
  const std::int64_t width = cipher.size(3);
  if (options.permutedLayout)
  {
    const unsigned pool = options.permutedLayout->poolEdge;
    const unsigned edge = options.permutedLayout->cellEdge;
    if (edge == 0 || pool % edge != 0 || height % pool != 0 || width % pool != 0)
    {
      throw UserError("attacks on permuted cells need images whose height and width are multiples of " +
                      std::to_string(pool) + " (got " + std::to_string(height) + " x " + std::to_string(width) + ")");
    }
  }
  const std::vector<AttackKind> kinds = EnabledKinds(options);
  const torch::Device drawDevice = generator.defined() ? generator.device() : cipher.device();
  RandomDraws draws(generator, drawDevice);

  std::vector<torch::Tensor> images;
  std::vector<torch::Tensor> authentic;
  images.reserve(static_cast<std::size_t>(cipher.size(0)));
  authentic.reserve(static_cast<std::size_t>(cipher.size(0)));
  for (std::int64_t b = 0; b < cipher.size(0); ++b)
  {
    const torch::Tensor image = cipher[b];
    if (kinds.empty() || draws.Uniform() >= options.probability)
    {
      images.push_back(image);
      authentic.push_back(torch::ones({ 1, height, width }, image.options().requires_grad(false)));
      continue;
    }
    const AttackKind kind =
      kinds[static_cast<std::size_t>(draws.Integer(0, static_cast<std::int64_t>(kinds.size()) - 1))];
    torch::Tensor layout;
    torch::Tensor target = image;
    if (options.permutedLayout)
    {
      layout = RandomStoredLayout(height, width, *options.permutedLayout, draws).to(image.device());
      target = image.reshape({ image.size(0), height * width }).index_select(1, layout).reshape(image.sizes());
    }
    torch::Tensor damaged;
    switch (kind)
    {
      case AttackKind::Constants:
        damaged = SetRandomPixels(target, options.maxConstantFraction, draws);
        break;
      case AttackKind::Rectangle:
        damaged = FillRectangle(target, options.maxRectangleFraction, draws);
        break;
      case AttackKind::Noise:
        damaged = AddNoise(target, options.maxNoiseSigma, draws);
        break;
    }
    // Changed pixels, over all channels; with a stored layout, every pixel of a pool with one of them.
    torch::Tensor changed = (damaged != target).detach().any(0, /*keepdim=*/true).to(image.scalar_type());
    if (options.permutedLayout)
    {
      const std::int64_t pool = options.permutedLayout->poolEdge;
      changed = torch::nn::functional::max_pool2d(changed.unsqueeze(0),
                                                  torch::nn::functional::MaxPool2dFuncOptions(pool).stride(pool));
      changed = changed.repeat_interleave(pool, 2).repeat_interleave(pool, 3).squeeze(0);
      damaged = torch::zeros({ image.size(0), height * width }, image.options())
                  .index_copy(1, layout, damaged.reshape({ image.size(0), height * width }))
                  .reshape(image.sizes());
      changed = torch::zeros({ 1, height * width }, changed.options())
                  .index_copy(1, layout, changed.reshape({ 1, height * width }))
                  .reshape({ 1, height, width });
    }
    images.push_back(damaged);
    authentic.push_back(1.0 - changed);
  }
  return { torch::stack(images), torch::stack(authentic) };
}

} // namespace medcrypt

#include "medcrypt/NeuralCipher.h"

#include "medcrypt/DecryptionRefinement.h"
#include "medcrypt/Error.h"
#include "medcrypt/FeatureKeyTensors.h"
#include "medcrypt/ModelFile.h"

#include <torch/torch.h>

#include <cstdlib>
#include <cstring>
#include <sys/stat.h>

namespace medcrypt
{

namespace
{

constexpr std::size_t TilesPerBatch = 8; // bounds memory whatever the image size

bool
IsRegularFile(const std::string & path)
{
  struct stat info;
  return !path.empty() && ::stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode);
}

} // namespace

struct NeuralCipher::Impl
{
  CipherNet net{ nullptr };
  ModelConfig config;
  std::string modelId;
  std::vector<int> parameterLengths;
  std::size_t parametersPerTile = 0;
  torch::Device device{ torch::kCPU };

  /** K_1..K_L for tiles [first, first + n), stacked and on the model's device. */
  std::vector<torch::Tensor>
  Keys(const TileKeyParameters * keys, std::size_t n) const
  {
    std::vector<std::vector<torch::Tensor>> perTile;
    perTile.reserve(n);
    for (std::size_t i = 0; i < n; ++i)
    {
      perTile.push_back(MakeFeatureKeys(keys[i].x0, keys[i].mu, keys[i].burnIn, config, config.tileSize));
    }
    auto stacked = StackFeatureKeys(perTile);
    for (auto & key : stacked)
    {
      key = key.to(device);
    }
    return stacked;
  }

  torch::Tensor
  Tiles(const float * values, std::size_t n) const
  {
    const int64_t t = config.tileSize;
    return torch::from_blob(const_cast<float *>(values), { static_cast<int64_t>(n), 1, t, t }, torch::kFloat32)
      .to(device, /*non_blocking=*/false, /*copy=*/true);
  }

  static void
  CopyOut(const torch::Tensor & tensor, float * out)
  {
    const auto contiguous = tensor.to(torch::kCPU, torch::kFloat32).contiguous();
    std::memcpy(out, contiguous.data_ptr<float>(), sizeof(float) * static_cast<std::size_t>(contiguous.numel()));
  }
};

NeuralCipher::NeuralCipher(std::unique_ptr<Impl> impl)
  : m_Impl(std::move(impl))
{
}

NeuralCipher::~NeuralCipher() = default;

std::shared_ptr<const NeuralCipher>
NeuralCipher::Load(const std::string & path, const std::string & device)
{
  auto impl = std::make_unique<Impl>();
  if (device == "cuda")
  {
    if (!torch::cuda::is_available())
    {
      throw UserError("--device cuda: this LibTorch build or machine has no CUDA device; use --device cpu");
    }
    impl->device = torch::Device(torch::kCUDA);
  }
  else if (device != "cpu")
  {
    throw UserError("unknown device '" + device + "': use cpu or cuda");
  }
  LoadedModel loaded = LoadModelFile(path);
  impl->net = loaded.net;
  impl->net->eval();
  impl->net->to(impl->device);
  impl->config = impl->net->config();
  impl->modelId = loaded.modelId;
  for (int level = 1; level <= impl->config.Levels(); ++level)
  {
    impl->parameterLengths.push_back(impl->config.Channels(level));
    impl->parametersPerTile += static_cast<std::size_t>(impl->config.Channels(level));
  }
  return std::shared_ptr<const NeuralCipher>(new NeuralCipher(std::move(impl)));
}

std::string
NeuralCipher::DefaultModelPath()
{
  if (const char * fromEnvironment = std::getenv("MEDCRYPT_MODEL"); fromEnvironment != nullptr && *fromEnvironment)
  {
    return fromEnvironment;
  }
  for (const char * candidate : { MEDCRYPT_INSTALLED_MODEL, MEDCRYPT_SOURCE_MODEL })
  {
    if (IsRegularFile(candidate))
    {
      return candidate;
    }
  }
  return {};
}

void
NeuralCipher::SetThreads(int threads)
{
  if (threads > 0)
  {
    at::set_num_threads(threads);
  }
}

const std::string &
NeuralCipher::ModelId() const
{
  return m_Impl->modelId;
}

int
NeuralCipher::TileSize() const
{
  return m_Impl->config.tileSize;
}

const std::vector<int> &
NeuralCipher::ParameterLengths() const
{
  return m_Impl->parameterLengths;
}

std::size_t
NeuralCipher::ParametersPerTile() const
{
  return m_Impl->parametersPerTile;
}

std::string
NeuralCipher::ConfigurationJson() const
{
  return ModelConfigToJson(m_Impl->config);
}

void
NeuralCipher::Encrypt(const float * tiles,
                      std::size_t count,
                      const TileKeyParameters * keys,
                      float * cipher,
                      float * encryptedParameters) const
{
  torch::NoGradGuard noGradients;
  const std::size_t pixels = static_cast<std::size_t>(m_Impl->config.tileSize) * m_Impl->config.tileSize;
  for (std::size_t first = 0; first < count; first += TilesPerBatch)
  {
    const std::size_t n = std::min(TilesPerBatch, count - first);
    auto result = m_Impl->net->encrypt(m_Impl->Tiles(tiles + first * pixels, n), m_Impl->Keys(keys + first, n));
    Impl::CopyOut(result.cipher, cipher + first * pixels);
    Impl::CopyOut(torch::cat(result.encryptedParameters, 1), encryptedParameters + first * m_Impl->parametersPerTile);
  }
}

void
NeuralCipher::Decrypt(const float * cipher,
                      std::size_t count,
                      const TileKeyParameters * keys,
                      const float * encryptedParameters,
                      float * tiles,
                      int refinementIterations,
                      const float * authentic) const
{
  if (refinementIterations < 0)
  {
    throw UserError("refinement iterations must be 0 or more, got " + std::to_string(refinementIterations));
  }
  torch::NoGradGuard noGradients;
  const std::size_t pixels = static_cast<std::size_t>(m_Impl->config.tileSize) * m_Impl->config.tileSize;
  for (std::size_t first = 0; first < count; first += TilesPerBatch)
  {
    const std::size_t n = std::min(TilesPerBatch, count - first);
    const auto ep = torch::from_blob(const_cast<float *>(encryptedParameters + first * m_Impl->parametersPerTile),
                                     { static_cast<int64_t>(n), static_cast<int64_t>(m_Impl->parametersPerTile) },
                                     torch::kFloat32)
                      .to(m_Impl->device, false, true);
    std::vector<torch::Tensor> parts;
    int64_t offset = 0;
    for (int length : m_Impl->parameterLengths)
    {
      parts.push_back(ep.narrow(1, offset, length));
      offset += length;
    }
    const auto tileKeys = m_Impl->Keys(keys + first, n);
    const auto cipherTiles = m_Impl->Tiles(cipher + first * pixels, n);
    const auto alphas = m_Impl->net->recoverAlphas(parts, tileKeys);
    const auto decoded = m_Impl->net->decryptWithParameters(cipherTiles, alphas, tileKeys);
    Impl::CopyOut(authentic == nullptr
                    ? RefineDecryption(*m_Impl->net, cipherTiles, alphas, tileKeys, decoded, refinementIterations)
                    : RefineDecryptionWhereAuthentic(*m_Impl->net,
                                                     cipherTiles,
                                                     m_Impl->Tiles(authentic + first * pixels, n),
                                                     alphas,
                                                     tileKeys,
                                                     decoded,
                                                     refinementIterations),
                  tiles + first * pixels);
  }
}

} // namespace medcrypt

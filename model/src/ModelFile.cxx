#include "medcrypt/ModelFile.h"

#include "medcrypt/Error.h"
#include "medcrypt/FeatureKeys.h"
#include "medcrypt/OutputCalibration.h"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <unistd.h>

namespace medcrypt
{

namespace
{

constexpr const char * ModelFormat = "medcrypt-model";
constexpr int64_t ModelVersion = 1;
constexpr double HalfMaximum = 65504.0;

/** The first line of a LibTorch error: its message without the C++ backtrace that follows. */
std::string
FirstLine(const std::exception & error)
{
  const std::string text = error.what();
  return text.substr(0, text.find('\n'));
}

/** Every parameter and buffer of the network by its full name, sorted by name. */
std::map<std::string, torch::Tensor>
NamedTensors(CipherNet & net)
{
  std::map<std::string, torch::Tensor> tensors;
  for (const auto & item : net->named_parameters())
  {
    tensors[item.key()] = item.value();
  }
  for (const auto & item : net->named_buffers())
  {
    tensors[item.key()] = item.value();
  }
  return tensors;
}

class Sha256
{
public:
  Sha256()
    : m_Context(EVP_MD_CTX_new(), &EVP_MD_CTX_free)
  {
    if (!m_Context || EVP_DigestInit_ex(m_Context.get(), EVP_sha256(), nullptr) != 1)
    {
      throw std::runtime_error("OpenSSL: SHA-256 is not available");
    }
  }

  void
  Update(const void * data, std::size_t size)
  {
    if (EVP_DigestUpdate(m_Context.get(), data, size) != 1)
    {
      throw std::runtime_error("OpenSSL: SHA-256 update failed");
    }
  }

  void
  UpdateInt64(int64_t value)
  {
    std::uint8_t bytes[8];
    for (int i = 0; i < 8; ++i)
    {
      bytes[i] = static_cast<std::uint8_t>(static_cast<std::uint64_t>(value) >> (8 * i));
    }
    Update(bytes, sizeof(bytes));
  }

  std::string
  HexDigest()
  {
    std::array<std::uint8_t, 32> digest{};
    unsigned int size = 0;
    if (EVP_DigestFinal_ex(m_Context.get(), digest.data(), &size) != 1 || size != digest.size())
    {
      throw std::runtime_error("OpenSSL: SHA-256 final failed");
    }
    return ToHex(digest);
  }

private:
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> m_Context;
};

/** The hashed form of a tensor: contiguous little-endian float32 on the CPU. */
std::vector<std::uint8_t>
Float32Bytes(const torch::Tensor & tensor)
{
  const torch::Tensor values = tensor.detach().to(torch::kCPU, torch::kFloat32).contiguous();
  std::vector<std::uint8_t> bytes(static_cast<std::size_t>(values.numel()) * 4);
  const float * data = values.data_ptr<float>();
  for (int64_t i = 0; i < values.numel(); ++i)
  {
    std::uint32_t bits = 0;
    std::memcpy(&bits, &data[i], 4);
    for (int k = 0; k < 4; ++k)
    {
      bytes[static_cast<std::size_t>(4 * i + k)] = static_cast<std::uint8_t>(bits >> (8 * k));
    }
  }
  return bytes;
}

/** SHA-256 of the tensors (names, shapes, float32 values; the output calibration only when it is not the
 * identity) and of alpha_max when it is not 1: alpha_max changes the network without changing a weight,
 * and models made before it existed keep their ids. */
std::string
ModelIdOf(const std::map<std::string, torch::Tensor> & tensors, const ModelConfig & config)
{
  Sha256 sha;
  for (const auto & [name, tensor] : tensors)
  {
    if (name == OutputCalibrationName && IsIdentityOutputCalibration(tensor))
    {
      continue; // an identity calibration changes no ciphertext, so models made before it keep their ids
    }
    sha.Update(name.data(), name.size());
    const std::uint8_t nul = 0;
    sha.Update(&nul, 1);
    sha.UpdateInt64(tensor.dim());
    for (int64_t size : tensor.sizes())
    {
      sha.UpdateInt64(size);
    }
    const auto bytes = Float32Bytes(tensor);
    sha.Update(bytes.data(), bytes.size());
  }
  if (config.alphaMax != 1.0)
  {
    const std::string name = "alpha_max";
    sha.Update(name.data(), name.size() + 1); // with its terminating NUL, as the tensor names
    std::uint64_t bits = 0;
    std::memcpy(&bits, &config.alphaMax, sizeof bits);
    sha.UpdateInt64(static_cast<std::int64_t>(bits));
  }
  return sha.HexDigest();
}

std::string
ReadString(torch::serialize::InputArchive & archive, const char * key, const std::string & path)
{
  c10::IValue value;
  if (!archive.try_read(key, value) || !value.isString())
  {
    throw UserError(path + ": not a MedCrypt model file (no \"" + key +
                    "\" entry); give a file written by 'medcrypt train'");
  }
  return value.toStringRef();
}

} // namespace

std::string
ComputeModelId(CipherNet & net)
{
  return ModelIdOf(NamedTensors(net), net->config());
}

std::string
SaveModelFile(CipherNet & net, const std::string & path, bool half)
{
  torch::NoGradGuard noGrad;
  std::map<std::string, torch::Tensor> stored;
  for (const auto & [name, tensor] : NamedTensors(net))
  {
    torch::Tensor value = tensor.detach().to(torch::kCPU, torch::kFloat32).contiguous();
    if (half && value.numel() > 0 && value.abs().max().item<double>() > HalfMaximum)
    {
      throw UserError(path + ": weight " + name + " exceeds the float16 range; save without --half");
    }
    // The calibration's knots stay float32: float16 would merge neighbours 1 / 1024 apart near 1.
    stored[name] = half && name != OutputCalibrationName ? value.to(torch::kFloat16) : value;
  }
  const std::string modelId = ModelIdOf(stored, net->config());

  torch::serialize::OutputArchive archive;
  archive.write("format", c10::IValue(std::string(ModelFormat)));
  archive.write("version", c10::IValue(ModelVersion));
  archive.write("config", c10::IValue(ModelConfigToJson(net->config())));
  archive.write("model_id", c10::IValue(modelId));
  archive.write("storage", c10::IValue(std::string(half ? "float16" : "float32")));
  torch::serialize::OutputArchive weights;
  for (const auto & [name, tensor] : stored)
  {
    weights.write(name, tensor);
  }
  archive.write("weights", weights);

  const std::string temporary = path + ".tmp-" + std::to_string(::getpid());
  try
  {
    archive.save_to(temporary);
  }
  catch (const std::exception & error)
  {
    std::remove(temporary.c_str());
    throw UserError(path + ": cannot write the model file (" + FirstLine(error) + "); is the directory writable?");
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0)
  {
    std::remove(temporary.c_str());
    throw UserError(path + ": cannot rename the temporary model file into place");
  }
  return modelId;
}

LoadedModel
LoadModelFile(const std::string & path, const std::optional<ModelConfig> & expected)
{
  if (!std::ifstream(path, std::ios::binary).good())
  {
    throw UserError(path + ": cannot open the model file; check the path");
  }
  torch::serialize::InputArchive archive;
  try
  {
    archive.load_from(path);
  }
  catch (const std::exception & error)
  {
    throw UserError(path + ": not a readable MedCrypt model file (" + FirstLine(error) +
                    "); the file may be truncated or of another kind");
  }
  if (ReadString(archive, "format", path) != ModelFormat)
  {
    throw UserError(path + ": not a MedCrypt model file (format is not \"" + std::string(ModelFormat) + "\")");
  }
  c10::IValue version;
  if (!archive.try_read("version", version) || !version.isInt() || version.toInt() != ModelVersion)
  {
    throw UserError(path + ": model file version is not supported (this build reads version " +
                    std::to_string(ModelVersion) + ")");
  }
  const ModelConfig config = ModelConfigFromJson(ReadString(archive, "config", path), path);
  if (expected && *expected != config)
  {
    throw UserError(path + ": holds a model with another configuration than expected.\nIn the file:\n" +
                    ModelConfigToJson(config) + "\nExpected:\n" + ModelConfigToJson(*expected));
  }
  const std::string storedId = ReadString(archive, "model_id", path);
  const std::string storage = ReadString(archive, "storage", path);

  LoadedModel loaded;
  loaded.net = CipherNet(config);
  loaded.storedAsHalf = storage == "float16";
  torch::serialize::InputArchive weights;
  if (!archive.try_read("weights", weights))
  {
    throw UserError(path + ": the model file has no weights");
  }
  {
    torch::NoGradGuard noGrad;
    for (auto & [name, tensor] : NamedTensors(loaded.net))
    {
      torch::Tensor value;
      if (!weights.try_read(name, value))
      {
        if (name == OutputCalibrationName)
        {
          continue; // a model file from before the calibration: the identity the network was built with
        }
        throw UserError(path + ": the model file lacks weight " + name);
      }
      if (value.sizes() != tensor.sizes())
      {
        throw UserError(path + ": weight " + name + " has the wrong shape for the stored configuration");
      }
      tensor.copy_(value.to(torch::kFloat32));
    }
  }
  ValidateOutputCalibration(loaded.net->outputCalibration(), path);
  loaded.modelId = ComputeModelId(loaded.net);
  if (loaded.modelId != storedId)
  {
    throw UserError(path + ": the weights do not match the model id recorded in the file; the file is damaged");
  }
  return loaded;
}

} // namespace medcrypt

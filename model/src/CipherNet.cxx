#include "medcrypt/CipherNet.h"

#include <cctype>
#include <map>
#include <sstream>
#include <stdexcept>

namespace medcrypt
{

namespace
{

std::string
ShapeText(const torch::Tensor & tensor)
{
  std::ostringstream text;
  text << tensor.sizes();
  return text.str();
}

std::string
ShapeText(const std::vector<int64_t> & sizes)
{
  std::ostringstream text;
  text << torch::IntArrayRef(sizes);
  return text.str();
}

} // namespace

CipherNetImpl::CipherNetImpl(const ModelConfig & config)
  : m_Config(config)
{
  m_Config.Validate();
  const int levels = m_Config.Levels();
  const int r = m_Config.SubPixelFactor();
  const double slope = m_Config.leakySlope;
  const int headChannels = m_Config.headChannels;
  const int decoderHeadChannels = m_Config.DecoderHeadChannels();
  const int lastChannels = m_Config.Channels(levels);

  m_Head = register_module("head", torch::nn::Conv2d(torch::nn::Conv2dOptions(1, headChannels, 5).padding(2)));
  for (int i = 1; i <= levels; ++i)
  {
    const std::string index = std::to_string(i);
    const int channels = m_Config.Channels(i);
    m_Encoders.push_back(
      register_module("fem" + index, FeatureEncoderModule(m_Config.Channels(i - 1), channels, slope)));
    m_Fusions.push_back(register_module("ffpm" + index,
                                        FeatureFusionPassingModule(channels,
                                                                   m_Config.encryptionBlocks[i - 1],
                                                                   m_Config.keyProjectionBlocks[i - 1],
                                                                   m_Config.alphaBlocks,
                                                                   slope,
                                                                   m_Config.alphaMin,
                                                                   m_Config.alphaMax)));
    m_ParameterCiphers.push_back(register_module(
      "ffem" + index,
      FeatureFusionEncryptionModule(
        channels, m_Config.ffemCouplings, m_Config.ffemDenseLayers, m_Config.ffemGrowth[i - 1], slope)));
    m_Defusions.push_back(register_module(
      "ffdm" + index, FeatureFusionDecryptionModule(channels, m_Config.DecryptionBlocksAtLevel(i), slope)));
    m_Decoders.push_back(
      register_module("fdm" + index, FeatureDecoderModule(channels, m_Config.DecoderOutputChannels(i), slope)));
  }
  m_CipherOut =
    register_module("cipher_out", torch::nn::Conv2d(torch::nn::Conv2dOptions(lastChannels, r * r, 3).padding(1)));
  m_CipherIn =
    register_module("cipher_in", torch::nn::Conv2d(torch::nn::Conv2dOptions(r * r, lastChannels, 3).padding(1)));
  m_Tail = register_module(
    "tail",
    torch::nn::Sequential(torch::nn::ConvTranspose2d(
                            torch::nn::ConvTranspose2dOptions(decoderHeadChannels, decoderHeadChannels, 3).padding(1)),
                          torch::nn::LeakyReLU(torch::nn::LeakyReLUOptions().negative_slope(slope)),
                          torch::nn::Conv2d(torch::nn::Conv2dOptions(decoderHeadChannels, 1, 3).padding(1))));
  m_OutputCalibration = register_buffer(OutputCalibrationName, IdentityOutputCalibration());
}

void
CipherNetImpl::setOutputCalibration(const torch::Tensor & knots, const std::string & origin)
{
  ValidateOutputCalibration(knots, origin);
  torch::NoGradGuard noGrad;
  m_OutputCalibration.copy_(knots);
}

void
CipherNetImpl::CheckKeys(const torch::Tensor & image, const std::vector<torch::Tensor> & keys, const char * what) const
{
  const int levels = m_Config.Levels();
  const int r = m_Config.SubPixelFactor();
  if (image.dim() != 4 || image.size(1) != 1 || image.size(2) % r != 0 || image.size(3) % r != 0 ||
      image.size(2) == 0 || image.size(3) == 0)
  {
    throw std::invalid_argument(std::string("CipherNet::") + what +
                                ": expected [B, 1, H, W] with H and W multiples of " + std::to_string(r) + ", got " +
                                ShapeText(image));
  }
  if (!m_Config.fusion)
  {
    return; // keys are not used
  }
  if (static_cast<int>(keys.size()) != levels)
  {
    throw std::invalid_argument(std::string("CipherNet::") + what + ": expected " + std::to_string(levels) +
                                " feature keys, got " + std::to_string(keys.size()));
  }
  for (int i = 1; i <= levels; ++i)
  {
    const torch::Tensor & key = keys[i - 1];
    const std::vector<int64_t> expected{ image.size(0), m_Config.Channels(i), image.size(2) >> i, image.size(3) >> i };
    if (key.sizes() != torch::IntArrayRef(expected))
    {
      throw std::invalid_argument(std::string("CipherNet::") + what + ": feature key K_" + std::to_string(i) +
                                  " has shape " + ShapeText(key) + ", expected " + ShapeText(expected));
    }
  }
}

EncryptResult
CipherNetImpl::encrypt(const torch::Tensor & tile, const std::vector<torch::Tensor> & keys)
{
  CheckKeys(tile, keys, "encrypt");
  const int levels = m_Config.Levels();
  EncryptResult result;
  torch::Tensor features = torch::leaky_relu(m_Head(tile), m_Config.leakySlope);
  for (int i = 0; i < levels; ++i)
  {
    const torch::Tensor key = m_Config.fusion ? keys[i].to(tile.device(), tile.scalar_type()) : torch::Tensor();
    FusionOutput fusion = m_Fusions[i]->forward(m_Encoders[i]->forward(features), key, m_Config.fusion);
    features = fusion.fused;
    result.encryptedParameters.push_back(m_Config.fusion ? m_ParameterCiphers[i]->forward(fusion.alpha, KeySummary(key))
                                                         : fusion.alpha);
    result.alphas.push_back(fusion.alpha);
  }
  result.cipher = torch::sigmoid(torch::pixel_shuffle(m_CipherOut(features), m_Config.SubPixelFactor()));
  if (!IsIdentityOutputCalibration(m_OutputCalibration))
  {
    result.cipher = ApplyOutputCalibration(result.cipher, m_OutputCalibration);
  }
  return result;
}

std::vector<torch::Tensor>
CipherNetImpl::recoverAlphas(const std::vector<torch::Tensor> & encryptedParameters,
                             const std::vector<torch::Tensor> & keys)
{
  const int levels = m_Config.Levels();
  if (static_cast<int>(encryptedParameters.size()) != levels)
  {
    throw std::invalid_argument("CipherNet: expected " + std::to_string(levels) + " encrypted parameter vectors, got " +
                                std::to_string(encryptedParameters.size()));
  }
  std::vector<torch::Tensor> alphas;
  for (int i = 0; i < levels; ++i)
  {
    const torch::Tensor & encrypted = encryptedParameters[i];
    if (encrypted.dim() != 2 || encrypted.size(1) != m_Config.Channels(i + 1))
    {
      throw std::invalid_argument("CipherNet: EP_" + std::to_string(i + 1) + " has shape " + ShapeText(encrypted) +
                                  ", expected [B, " + std::to_string(m_Config.Channels(i + 1)) + "]");
    }
    if (!m_Config.fusion)
    {
      alphas.push_back(torch::ones_like(encrypted));
      continue;
    }
    const torch::Tensor key = keys.at(i).to(encrypted.device(), encrypted.scalar_type());
    alphas.push_back(
      m_ParameterCiphers[i]->inverse(encrypted, KeySummary(key)).clamp(m_Config.alphaMin, m_Config.alphaMax));
  }
  return alphas;
}

torch::Tensor
CipherNetImpl::decryptWithParameters(const torch::Tensor & cipher,
                                     const std::vector<torch::Tensor> & alphas,
                                     const std::vector<torch::Tensor> & keys)
{
  CheckKeys(cipher, keys, "decrypt");
  const int levels = m_Config.Levels();
  if (static_cast<int>(alphas.size()) != levels)
  {
    throw std::invalid_argument("CipherNet::decrypt: expected " + std::to_string(levels) + " alpha vectors, got " +
                                std::to_string(alphas.size()));
  }
  // F^-1 undoes the output calibration and logit the output sigmoid, so that the first decoder layer
  // sees the pre-sigmoid values (clamped to [1e-3, 1 - 1e-3]: damaged pixels at exactly 0 or 1 stay finite).
  const torch::Tensor uncalibrated = IsIdentityOutputCalibration(m_OutputCalibration)
                                       ? cipher
                                       : InvertOutputCalibration(cipher.clamp(0.0, 1.0), m_OutputCalibration);
  torch::Tensor features =
    m_CipherIn(torch::pixel_unshuffle(torch::logit(uncalibrated, 1e-3), m_Config.SubPixelFactor()));
  for (int i = levels - 1; i >= 0; --i)
  {
    torch::Tensor defused;
    torch::Tensor projectedKey;
    torch::Tensor alpha;
    if (m_Config.fusion)
    {
      alpha = alphas[i].to(cipher.device(), cipher.scalar_type());
      projectedKey = m_Fusions[i]->projectKey(keys[i].to(cipher.device(), cipher.scalar_type()));
      defused = Defuse(features, projectedKey, alpha);
    }
    else
    {
      alpha = torch::ones({ features.size(0), features.size(1) }, features.options());
      projectedKey = torch::zeros_like(features);
      defused = features;
    }
    features = m_Decoders[i]->forward(m_Defusions[i]->forward(defused, projectedKey, alpha));
  }
  return torch::sigmoid(m_Tail->forward(features));
}

torch::Tensor
CipherNetImpl::decrypt(const torch::Tensor & cipher,
                       const std::vector<torch::Tensor> & encryptedParameters,
                       const std::vector<torch::Tensor> & keys)
{
  CheckKeys(cipher, keys, "decrypt");
  return decryptWithParameters(cipher, recoverAlphas(encryptedParameters, keys), keys);
}

std::vector<torch::Tensor>
CipherNetImpl::decryptionOnlyParameters() const
{
  std::vector<torch::Tensor> parameters = m_CipherIn->parameters();
  const auto append = [&parameters](const std::vector<torch::Tensor> & more)
  { parameters.insert(parameters.end(), more.begin(), more.end()); };
  for (const auto & module : m_Defusions)
  {
    append(module->parameters());
  }
  for (const auto & module : m_Decoders)
  {
    append(module->parameters());
  }
  append(m_Tail->parameters());
  return parameters;
}

std::vector<ModuleParameterCount>
CountParametersByModule(CipherNet & net)
{
  // Table 1 of the paper, "Total Parameters" column, by row group.
  std::vector<ModuleParameterCount> rows = {
    { "head", "5x5 convolution 1 -> C_0", 0, 832 },
    { "fem", "FEM_i: stride-2 conv + residual block", 0, 3706944 },
    { "ffpm", "FFPM_i: feature branch, key projection, alpha blocks", 0, 20920896 },
    { "ffem", "FFEM_i: keyed additive couplings of dense blocks", 0, 32966784 },
    { "subpixel", "conv to r^2 + PixelShuffle; PixelUnshuffle + conv", 0, -1 },
    { "ffdm", "FFDM_i: feature and condition branches, merge", 0, 19253120 },
    { "fdm", "FDM_i: stride-2 deconv + residual block", 0, 2545056 },
    { "tail", "deconv C_0 -> C_0, conv C_0 -> 1", 0, 9537 },
  };
  std::map<std::string, std::size_t> rowOf;
  for (std::size_t i = 0; i < rows.size(); ++i)
  {
    rowOf[rows[i].module] = i;
  }
  for (const auto & item : net->named_parameters())
  {
    std::string family = item.key().substr(0, item.key().find('.'));
    while (!family.empty() && std::isdigit(static_cast<unsigned char>(family.back())))
    {
      family.pop_back();
    }
    if (family == "cipher_out" || family == "cipher_in")
    {
      family = "subpixel";
    }
    rows.at(rowOf.at(family)).parameters += item.value().numel();
  }
  return rows;
}

std::vector<ModuleParameterCount>
CountParametersByModule(const ModelConfig & config)
{
  CipherNet net(config);
  return CountParametersByModule(net);
}

std::int64_t
CountParameters(const ModelConfig & config)
{
  std::int64_t total = 0;
  for (const auto & row : CountParametersByModule(config))
  {
    total += row.parameters;
  }
  return total;
}

} // namespace medcrypt

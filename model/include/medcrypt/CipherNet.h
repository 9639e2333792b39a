#ifndef medcrypt_CipherNet_h
#define medcrypt_CipherNet_h

// The whole cipher network of the paper (Figure 3): encryption by feature encoding and key fusion,
// decryption by de-fusion and feature decoding.

#include "medcrypt/FeatureCoders.h"
#include "medcrypt/FeatureFusion.h"
#include "medcrypt/FeatureFusionEncryption.h"
#include "medcrypt/ModelConfig.h"
#include "medcrypt/ModelSummary.h"
#include "medcrypt/OutputCalibration.h"

#include <vector>

namespace medcrypt
{

/** What encryption produces for a batch of tiles. */
struct EncryptResult
{
  torch::Tensor cipher;                           // [B, 1, T, T] in [0, 1]
  std::vector<torch::Tensor> alphas;              // alpha_i [B, C_i], i = 1..L, in [alphaMin, alphaMax]
  std::vector<torch::Tensor> encryptedParameters; // EP_i [B, C_i], i = 1..L: they travel with the ciphertext
};

/** Encryption:  x -> head (5x5 conv) -> [FEM_i -> FFPM_i(K_i)] for i = 1..L -> conv to r^2 channels
 *               -> PixelShuffle(r) -> sigmoid -> F = cipher; EP_i = FFEM_i(alpha_i, k_i).
 * Decryption:   cipher -> F^-1 -> PixelUnshuffle(r) -> conv to C_L -> [Eq. 6 with alpha_i, K'_i -> FFDM_i -> FDM_i]
 *               for i = L..1 -> deconv, conv to 1 channel -> sigmoid; alpha_i = FFEM_i^-1(EP_i, k_i).
 * Feature keys K_i are [B, C_i, T / 2^i, T / 2^i] uniformised logistic values (MakeFeatureKeys).
 * F is the output calibration (OutputCalibration.h), the buffer "output_calibration": the identity
 * until `medcrypt calibrate` fits it (and skipped while it is).
 * Tiles are [B, 1, T, T] with T a multiple of r; any T works (fully convolutional), the
 * configuration's tileSize is the one inference uses. Works on whatever device the module and the
 * tensors are on (keys are moved to the tile's device). */
class CipherNetImpl : public torch::nn::Module
{
public:
  /** Builds the network of `config` (validated; throws UserError when it is inconsistent). */
  explicit CipherNetImpl(const ModelConfig & config);

  /** Encrypts tiles [B, 1, T, T] in [0, 1] under keys K_1..K_L. */
  EncryptResult
  encrypt(const torch::Tensor & tile, const std::vector<torch::Tensor> & keys);

  /** Decrypts: recovers alpha_i from EP_i with the FFEM inverse, then decodes. -> [B, 1, T, T] in [0, 1]. */
  torch::Tensor
  decrypt(const torch::Tensor & cipher,
          const std::vector<torch::Tensor> & encryptedParameters,
          const std::vector<torch::Tensor> & keys);

  /** alpha_i = FFEM_i^-1(EP_i, k_i), clamped to [alphaMin, alphaMax] (a wrong key may give any value; the
   * clamp keeps Eq. 6 finite). With fusion off: all ones. */
  std::vector<torch::Tensor>
  recoverAlphas(const std::vector<torch::Tensor> & encryptedParameters, const std::vector<torch::Tensor> & keys);

  /** Decodes with given alpha_i (for training losses and tests). -> [B, 1, T, T] in [0, 1]. */
  torch::Tensor
  decryptWithParameters(const torch::Tensor & cipher,
                        const std::vector<torch::Tensor> & alphas,
                        const std::vector<torch::Tensor> & keys);

  /** The parameters that only decryption uses (cipher_in, FFDM_i, FDM_i, tail): changing them changes no
   * ciphertext. (The key projection of FFPM_i serves both directions, so it is not among them.) */
  std::vector<torch::Tensor>
  decryptionOnlyParameters() const;

  /** The configuration, with `fusion` as currently set. */
  const ModelConfig &
  config() const
  {
    return m_Config;
  }

  /** Key fusion on (encryption) or off (alpha = 1, keys unused: pre-training as an autoencoder). */
  void
  setFusionEnabled(bool enabled)
  {
    m_Config.fusion = enabled;
  }

  bool
  fusionEnabled() const
  {
    return m_Config.fusion;
  }

  /** The knots of the output calibration F (a [S + 1] buffer; the identity unless fitted). */
  const torch::Tensor &
  outputCalibration() const
  {
    return m_OutputCalibration;
  }

  /** Replaces F (validated: throws UserError naming `origin` for knots that are not a rising map). */
  void
  setOutputCalibration(const torch::Tensor & knots, const std::string & origin = "output calibration");

private:
  void
  CheckKeys(const torch::Tensor & image, const std::vector<torch::Tensor> & keys, const char * what) const;

  ModelConfig m_Config;
  torch::nn::Conv2d m_Head{ nullptr };
  std::vector<FeatureEncoderModule> m_Encoders;
  std::vector<FeatureFusionPassingModule> m_Fusions;
  std::vector<FeatureFusionEncryptionModule> m_ParameterCiphers;
  torch::nn::Conv2d m_CipherOut{ nullptr };
  torch::nn::Conv2d m_CipherIn{ nullptr };
  std::vector<FeatureFusionDecryptionModule> m_Defusions;
  std::vector<FeatureDecoderModule> m_Decoders;
  torch::nn::Sequential m_Tail{ nullptr };
  torch::Tensor m_OutputCalibration;
};
TORCH_MODULE(CipherNet);

/** Parameter counts per module family of a built network (see CountParametersByModule(config)). */
std::vector<ModuleParameterCount>
CountParametersByModule(CipherNet & net);

} // namespace medcrypt

#endif

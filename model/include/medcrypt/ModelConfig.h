#ifndef medcrypt_ModelConfig_h
#define medcrypt_ModelConfig_h

// The shape of the cipher network (paper section II.B, Table 1): channel counts, residual and dense
// block counts, tile size. Plain data without LibTorch, so that tools can read and print a
// configuration without the heavy headers.

#include <string>
#include <vector>

namespace medcrypt
{

/** Every number that fixes the architecture of CipherNet. Level i = 1..L (L = levelChannels.size())
 * works at T / 2^i pixels with C_i = levelChannels[i - 1] channels; the ciphertext leaves through a
 * sub-pixel convolution with factor r = 2^L, so C_L >= r^2 keeps at least T^2 values in the bottleneck. */
struct ModelConfig
{
  /** Preset this configuration came from ("paper", "default", "tiny") or "custom". Informative only. */
  std::string preset = "custom";
  /** Tile edge T in pixels used for inference (the network is fully convolutional; training crops
   * may be smaller, but must be multiples of r). */
  int tileSize = 256;
  /** C_0: channels of the 5x5 head convolution (and, unless decoderHeadChannels says otherwise, of the
   * last decoder stage). */
  int headChannels = 32;
  /** Channels of the last decoder stage (the output of FDM_1 and the tail), which work at full
   * resolution; 0: the same as headChannels. Decryption alone uses them, so a model may widen them
   * and keep its encryption bit for bit (`medcrypt train --decoder-head-channels`). */
  int decoderHeadChannels = 0;
  /** C_1..C_L. Each must be even (the FFEM splits alpha into two halves). */
  std::vector<int> levelChannels;
  /** Residual blocks on the feature branch of FFPM_i, i = 1..L (paper: 4, 3, 3, 3). */
  std::vector<int> encryptionBlocks;
  /** Residual blocks of the key projection of FFPM_i, i = 1..L (paper: the same as encryptionBlocks). */
  std::vector<int> keyProjectionBlocks;
  /** Residual blocks that compute alpha_i from concat(F_i, K_i) (the first maps 2 C_i -> C_i). */
  int alphaBlocks = 1;
  /** Residual blocks of each branch of FFDM_i, listed in decryption order: FFDM_L first, FFDM_1 last
   * (paper: 3, 3, 3, 4, the mirror of encryptionBlocks). */
  std::vector<int> decryptionBlocks;
  /** Additive coupling pairs (a' = a + F(b, k); b' = b + G(a', k)) per FFEM. */
  int ffemCouplings = 1;
  /** Hidden layers of each dense block F, G (every layer sees all earlier outputs). */
  int ffemDenseLayers = 4;
  /** Width (growth) of each dense layer, per level i = 1..L. */
  std::vector<int> ffemGrowth;
  /** Negative slope of every LeakyReLU. */
  double leakySlope = 0.2;
  /** alpha_i lies in [alphaMin, alphaMax]: alpha = alphaMin + (alphaMax - alphaMin) sigmoid(.), so that
   * the inverse fusion (Eq. 6) never divides by less than alphaMin and every level's feature key K_i
   * weighs at least 1 - alphaMax in F_{i+1} = alpha F_i + (1 - alpha) K_i. alphaMax = 1 is the paper's
   * range; below 1 no level can learn to ignore its key (docs/design.md, "alpha ceiling"). */
  double alphaMin = 0.05;
  double alphaMax = 1.0;
  /** Key fusion on (true) or off (alpha = 1, keys unused: the plain autoencoder of pre-training). */
  bool fusion = true;

  /** L, the number of encoder levels. */
  int
  Levels() const
  {
    return static_cast<int>(levelChannels.size());
  }

  /** r = 2^L, the sub-pixel factor of the ciphertext output. */
  int
  SubPixelFactor() const
  {
    return 1 << Levels();
  }

  /** C_i for i = 0..L (C_0 = headChannels). */
  int
  Channels(int level) const
  {
    return level == 0 ? headChannels : levelChannels.at(level - 1);
  }

  /** The channels of the last decoder stage: decoderHeadChannels, or headChannels when that is 0. */
  int
  DecoderHeadChannels() const
  {
    return decoderHeadChannels > 0 ? decoderHeadChannels : headChannels;
  }

  /** The channels that FDM_i outputs (i = 1..L): C_{i-1}, except for FDM_1, which outputs
   * DecoderHeadChannels(). */
  int
  DecoderOutputChannels(int level) const
  {
    return level == 1 ? DecoderHeadChannels() : Channels(level - 1);
  }

  /** Residual blocks per branch of FFDM_i for level i = 1..L (decryptionBlocks is in decryption order). */
  int
  DecryptionBlocksAtLevel(int level) const
  {
    return decryptionBlocks.at(Levels() - level);
  }

  /** Throws UserError (naming `origin`) when the configuration cannot build a working network. */
  void
  Validate(const std::string & origin = "model configuration") const;

  bool
  operator==(const ModelConfig & other) const;
  bool
  operator!=(const ModelConfig & other) const
  {
    return !(*this == other);
  }
};

/** Names of the built-in presets: "paper", "default", "tiny". */
std::vector<std::string>
ModelConfigPresetNames();

/** A built-in preset: "paper" (Table 1), "default" (trainable on a 2-core CPU), "tiny" (tests).
 * Throws UserError for another name. */
ModelConfig
ModelConfigPreset(const std::string & name);

/** Serialises to JSON (ordered keys, 2-space indent), e.g. {"format": "medcrypt-model-config",
 * "version": 1, "preset": "default", "tile_size": 256, ...}. */
std::string
ModelConfigToJson(const ModelConfig & config);

/** Parses the JSON of ModelConfigToJson and validates it; `origin` names the source in errors. */
ModelConfig
ModelConfigFromJson(const std::string & text, const std::string & origin);

} // namespace medcrypt

#endif

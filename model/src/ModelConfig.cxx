#include "medcrypt/ModelConfig.h"

#include "medcrypt/Error.h"

#include <nlohmann/json.hpp>

#include <sstream>

namespace medcrypt
{

namespace
{

constexpr const char * ConfigFormat = "medcrypt-model-config";
constexpr int ConfigVersion = 1;
constexpr int MaximumLevels = 6;

std::string
Join(const std::vector<int> & values)
{
  std::ostringstream text;
  for (std::size_t i = 0; i < values.size(); ++i)
  {
    text << (i ? "," : "") << values[i];
  }
  return text.str();
}

void
RequireLength(const std::vector<int> & values, int levels, const std::string & field, const std::string & origin)
{
  if (static_cast<int>(values.size()) != levels)
  {
    throw UserError(origin + ": " + field + " has " + std::to_string(values.size()) + " entries (" + Join(values) +
                    ") but level_channels has " + std::to_string(levels) + "; give one entry per level");
  }
}

void
RequireAtLeast(const std::vector<int> & values, int minimum, const std::string & field, const std::string & origin)
{
  for (int value : values)
  {
    if (value < minimum)
    {
      throw UserError(origin + ": every entry of " + field + " must be at least " + std::to_string(minimum) + " (got " +
                      Join(values) + ")");
    }
  }
}

} // namespace

void
ModelConfig::Validate(const std::string & origin) const
{
  const int levels = Levels();
  if (levels < 1 || levels > MaximumLevels)
  {
    throw UserError(origin + ": level_channels must have 1 to " + std::to_string(MaximumLevels) + " entries (got " +
                    std::to_string(levels) + ")");
  }
  if (headChannels < 1)
  {
    throw UserError(origin + ": head_channels must be at least 1");
  }
  if (decoderHeadChannels < 0)
  {
    throw UserError(origin + ": decoder_head_channels must be at least 1 (or 0: the same as head_channels)");
  }
  RequireAtLeast(levelChannels, 2, "level_channels", origin);
  for (int channels : levelChannels)
  {
    if (channels % 2 != 0)
    {
      throw UserError(origin +
                      ": every entry of level_channels must be even (the FFEM splits alpha into halves); got " +
                      Join(levelChannels));
    }
  }
  RequireLength(encryptionBlocks, levels, "encryption_blocks", origin);
  RequireLength(keyProjectionBlocks, levels, "key_projection_blocks", origin);
  RequireLength(decryptionBlocks, levels, "decryption_blocks", origin);
  RequireLength(ffemGrowth, levels, "ffem_growth", origin);
  RequireAtLeast(encryptionBlocks, 0, "encryption_blocks", origin);
  RequireAtLeast(keyProjectionBlocks, 1, "key_projection_blocks", origin);
  RequireAtLeast(decryptionBlocks, 1, "decryption_blocks", origin);
  RequireAtLeast(ffemGrowth, 1, "ffem_growth", origin);
  if (alphaBlocks < 1)
  {
    throw UserError(origin + ": alpha_blocks must be at least 1");
  }
  if (ffemCouplings < 1 || ffemDenseLayers < 1)
  {
    throw UserError(origin + ": ffem_couplings and ffem_dense_layers must be at least 1");
  }
  if (!(leakySlope >= 0.0 && leakySlope < 1.0))
  {
    throw UserError(origin + ": leaky_slope must lie in [0, 1)");
  }
  if (!(alphaMin > 0.0 && alphaMin < 1.0))
  {
    throw UserError(origin + ": alpha_min must lie strictly inside (0, 1): the inverse fusion divides by alpha");
  }
  if (!(alphaMax > alphaMin && alphaMax <= 1.0))
  {
    throw UserError(origin + ": alpha_max must lie in (alpha_min, 1]");
  }
  const int r = SubPixelFactor();
  if (tileSize < r || tileSize % r != 0)
  {
    throw UserError(origin + ": tile_size " + std::to_string(tileSize) + " must be a positive multiple of r = 2^" +
                    std::to_string(levels) + " = " + std::to_string(r));
  }
  if (levelChannels.back() < r * r)
  {
    throw UserError(origin + ": the last level has " + std::to_string(levelChannels.back()) +
                    " channels; the sub-pixel output needs at least r^2 = " + std::to_string(r * r) +
                    " so that the bottleneck C_L (T/r)^2 keeps at least T^2 values");
  }
}

bool
ModelConfig::operator==(const ModelConfig & other) const
{
  // The preset name is informative and does not change the network.
  return tileSize == other.tileSize && headChannels == other.headChannels &&
         DecoderHeadChannels() == other.DecoderHeadChannels() && levelChannels == other.levelChannels &&
         encryptionBlocks == other.encryptionBlocks && keyProjectionBlocks == other.keyProjectionBlocks &&
         alphaBlocks == other.alphaBlocks && decryptionBlocks == other.decryptionBlocks &&
         ffemCouplings == other.ffemCouplings && ffemDenseLayers == other.ffemDenseLayers &&
         ffemGrowth == other.ffemGrowth && leakySlope == other.leakySlope && alphaMin == other.alphaMin &&
         alphaMax == other.alphaMax && fusion == other.fusion;
}

std::vector<std::string>
ModelConfigPresetNames()
{
  return { "paper", "default", "tiny" };
}

ModelConfig
ModelConfigPreset(const std::string & name)
{
  ModelConfig config;
  config.preset = name;
  if (name == "paper")
  {
    // Table 1: 5x5 head of 32, levels 64, 128, 256, 256; FFPM 4, 3, 3, 3 residual blocks on each of
    // its two branches (features and key projection) plus one 2C -> C block for alpha; FFDM 3, 3, 3, 4.
    // The FFEM dense widths are chosen so that each level's FFEM has about Table 1's parameter count
    // (3.32 M, 5.75 M, 11.95 M, 11.95 M), see docs/design.md.
    config.tileSize = 256;
    config.headChannels = 32;
    config.levelChannels = { 64, 128, 256, 256 };
    config.encryptionBlocks = { 4, 3, 3, 3 };
    config.keyProjectionBlocks = { 4, 3, 3, 3 };
    config.alphaBlocks = 1;
    config.decryptionBlocks = { 3, 3, 3, 4 };
    config.ffemCouplings = 1;
    config.ffemDenseLayers = 4;
    config.ffemGrowth = { 484, 612, 836, 836 };
  }
  else if (name == "default")
  {
    // Trainable on a 2-core CPU (about 0.25-0.3 s per phase-2 step of batch 4 at 64 x 64 crops on one
    // busy core): three levels (r = 8), so the bottleneck needs C_3 >= 64; most blocks sit at the
    // coarse levels, where they cost little.
    config.tileSize = 256;
    config.headChannels = 8;
    config.levelChannels = { 16, 32, 64 };
    config.encryptionBlocks = { 1, 1, 2 };
    config.keyProjectionBlocks = { 1, 1, 1 };
    config.alphaBlocks = 1;
    config.decryptionBlocks = { 2, 1, 1 };
    config.ffemCouplings = 2;
    config.ffemDenseLayers = 3;
    config.ffemGrowth = { 64, 96, 96 };
  }
  else if (name == "tiny")
  {
    // For tests: two levels (r = 4), 32 x 32 tiles.
    config.tileSize = 32;
    config.headChannels = 8;
    config.levelChannels = { 16, 16 };
    config.encryptionBlocks = { 1, 1 };
    config.keyProjectionBlocks = { 1, 1 };
    config.alphaBlocks = 1;
    config.decryptionBlocks = { 1, 1 };
    config.ffemCouplings = 1;
    config.ffemDenseLayers = 2;
    config.ffemGrowth = { 16, 16 };
  }
  else
  {
    std::string names;
    for (const auto & preset : ModelConfigPresetNames())
    {
      names += (names.empty() ? "" : ", ") + preset;
    }
    throw UserError("unknown model preset '" + name + "': use one of " + names);
  }
  config.Validate("preset '" + name + "'");
  return config;
}

std::string
ModelConfigToJson(const ModelConfig & config)
{
  nlohmann::ordered_json json;
  json["format"] = ConfigFormat;
  json["version"] = ConfigVersion;
  json["preset"] = config.preset;
  json["tile_size"] = config.tileSize;
  json["head_channels"] = config.headChannels;
  json["decoder_head_channels"] = config.DecoderHeadChannels();
  json["level_channels"] = config.levelChannels;
  json["encryption_blocks"] = config.encryptionBlocks;
  json["key_projection_blocks"] = config.keyProjectionBlocks;
  json["alpha_blocks"] = config.alphaBlocks;
  json["decryption_blocks"] = config.decryptionBlocks;
  json["ffem_couplings"] = config.ffemCouplings;
  json["ffem_dense_layers"] = config.ffemDenseLayers;
  json["ffem_growth"] = config.ffemGrowth;
  json["leaky_slope"] = config.leakySlope;
  json["alpha_min"] = config.alphaMin;
  json["alpha_max"] = config.alphaMax;
  json["fusion"] = config.fusion;
  return json.dump(2);
}

ModelConfig
ModelConfigFromJson(const std::string & text, const std::string & origin)
{
  nlohmann::json json;
  try
  {
    json = nlohmann::json::parse(text);
  }
  catch (const nlohmann::json::exception & error)
  {
    throw UserError(origin + ": the model configuration is not valid JSON (" + std::string(error.what()) + ")");
  }
  if (!json.is_object() || json.value("format", std::string()) != ConfigFormat)
  {
    throw UserError(origin + ": not a MedCrypt model configuration (expected \"format\": \"" + ConfigFormat + "\")");
  }
  if (json.value("version", 0) != ConfigVersion)
  {
    throw UserError(origin + ": model configuration version " + json.value("version", nlohmann::json()).dump() +
                    " is not supported (this build reads version " + std::to_string(ConfigVersion) + ")");
  }
  ModelConfig config;
  try
  {
    config.preset = json.at("preset").get<std::string>();
    config.tileSize = json.at("tile_size").get<int>();
    config.headChannels = json.at("head_channels").get<int>();
    // absent in model files made before it existed: the decoder's last stage as wide as the head
    config.decoderHeadChannels = json.value("decoder_head_channels", 0);
    config.levelChannels = json.at("level_channels").get<std::vector<int>>();
    config.encryptionBlocks = json.at("encryption_blocks").get<std::vector<int>>();
    config.keyProjectionBlocks = json.at("key_projection_blocks").get<std::vector<int>>();
    config.alphaBlocks = json.at("alpha_blocks").get<int>();
    config.decryptionBlocks = json.at("decryption_blocks").get<std::vector<int>>();
    config.ffemCouplings = json.at("ffem_couplings").get<int>();
    config.ffemDenseLayers = json.at("ffem_dense_layers").get<int>();
    config.ffemGrowth = json.at("ffem_growth").get<std::vector<int>>();
    config.leakySlope = json.at("leaky_slope").get<double>();
    config.alphaMin = json.at("alpha_min").get<double>();
    config.alphaMax = json.value("alpha_max", 1.0); // absent in model files made before it existed
    config.fusion = json.at("fusion").get<bool>();
  }
  catch (const nlohmann::json::exception & error)
  {
    throw UserError(origin + ": incomplete or mistyped model configuration (" + std::string(error.what()) + ")");
  }
  config.Validate(origin);
  return config;
}

} // namespace medcrypt

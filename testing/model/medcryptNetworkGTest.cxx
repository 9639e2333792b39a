// The cipher network (paper II.B, Table 1): exact inverses, shapes, receptive field, model files.
#include "medcrypt/CipherNet.h"
#include "medcrypt/Error.h"
#include "medcrypt/FeatureKeyTensors.h"
#include "medcrypt/FeatureKeys.h"
#include "medcrypt/ModelAveraging.h"
#include "medcrypt/ModelFile.h"
#include "medcrypt/ModelSummary.h"
#include "medcrypt/ModelWidening.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <iterator>
#include <string>
#include <unistd.h>

namespace
{

using namespace medcrypt;

/** Batch keys for `batch` tiles of edge `tile`, each tile with its own x0 (offset by `variant`). */
std::vector<torch::Tensor>
BatchKeys(const ModelConfig & config, int tile, int batch, double variant = 0.0)
{
  std::vector<std::vector<torch::Tensor>> perTile;
  for (int b = 0; b < batch; ++b)
  {
    const double base = 0.1 + 0.17 * b + variant;
    perTile.push_back(MakeFeatureKeys({ base, base + 0.05, base + 0.11, base + 0.23 }, 3.99, 1000, config, tile));
  }
  return StackFeatureKeys(perTile);
}

/** A file name in the test's temporary directory, unique per process. */
std::string
TemporaryPath(const std::string & name)
{
  const char * directory = std::getenv("TMPDIR");
  return std::string(directory ? directory : "/tmp") + "/medcryptNetworkGTest-" + std::to_string(::getpid()) + "-" +
         name;
}

TEST(Network, FusionInverseIsExact)
{
  torch::manual_seed(1);
  const auto options = torch::TensorOptions().dtype(torch::kFloat64);
  torch::Tensor features = torch::randn({ 3, 8, 5, 5 }, options) * 4;
  torch::Tensor key = torch::rand({ 3, 8, 5, 5 }, options);
  torch::Tensor alpha = 0.05 + 0.95 * torch::rand({ 3, 8 }, options);
  const torch::Tensor fused = Fuse(features, key, alpha);
  // Eq. 3 worked out for one element.
  const double a = alpha[1][2].item<double>();
  EXPECT_NEAR(fused[1][2][3][4].item<double>(),
              a * features[1][2][3][4].item<double>() + (1 - a) * key[1][2][3][4].item<double>(),
              1e-12);
  EXPECT_LT((Defuse(fused, key, alpha) - features).abs().max().item<double>(), 1e-6);
  // In float32 too, with alpha at its lower bound.
  alpha.fill_(0.05);
  const torch::Tensor f32 = features.to(torch::kFloat32);
  const torch::Tensor k32 = key.to(torch::kFloat32);
  const torch::Tensor a32 = alpha.to(torch::kFloat32);
  EXPECT_LT((Defuse(Fuse(f32, k32, a32), k32, a32) - f32).abs().max().item<double>(), 1e-5);
}

TEST(Network, FeatureFusionEncryptionInverse)
{
  torch::manual_seed(2);
  for (const char * preset : { "tiny", "default" })
  {
    const ModelConfig config = ModelConfigPreset(preset);
    const int64_t channels = config.levelChannels.back();
    FeatureFusionEncryptionModule ffem(
      channels, config.ffemCouplings, config.ffemDenseLayers, config.ffemGrowth.back(), config.leakySlope);
    const int tile = config.SubPixelFactor() * 2;
    const auto keys = BatchKeys(config, tile, 4);
    const auto wrongKeys = BatchKeys(config, tile, 4, 0.013);
    const torch::Tensor right = KeySummary(keys.back());
    const torch::Tensor wrong = KeySummary(wrongKeys.back());
    ASSERT_EQ(right.sizes(), torch::IntArrayRef({ 4, channels }));
    // k_i is the first C_i values of the flattened key mapped to [-1, 1].
    EXPECT_FLOAT_EQ(right[0][3].item<float>(), 2 * keys.back()[0].flatten()[3].item<float>() - 1);
    const torch::Tensor alpha = 0.05 + 0.95 * torch::rand({ 4, channels });
    torch::NoGradGuard noGrad;
    const torch::Tensor encrypted = ffem->forward(alpha, right);
    EXPECT_GT((encrypted - alpha).abs().mean().item<double>(), 0.05) << preset << ": EP must differ from alpha";
    EXPECT_LT((ffem->inverse(encrypted, right) - alpha).abs().max().item<double>(), 1e-5) << preset;
    EXPECT_GT((ffem->inverse(encrypted, wrong) - alpha).abs().mean().item<double>(), 0.1) << preset;
  }
}

TEST(Network, ShapesAndRanges)
{
  torch::manual_seed(3);
  for (const char * preset : { "tiny", "default" })
  {
    const ModelConfig config = ModelConfigPreset(preset);
    CipherNet net(config);
    net->eval();
    torch::NoGradGuard noGrad;
    const int tile = std::string(preset) == "tiny" ? config.tileSize : 64;
    const int batch = 3;
    const auto keys = BatchKeys(config, tile, batch);
    const torch::Tensor plain = torch::rand({ batch, 1, tile, tile });
    const EncryptResult result = net->encrypt(plain, keys);
    EXPECT_EQ(result.cipher.sizes(), plain.sizes()) << preset;
    EXPECT_GE(result.cipher.min().item<double>(), 0.0);
    EXPECT_LE(result.cipher.max().item<double>(), 1.0);
    ASSERT_EQ(static_cast<int>(result.alphas.size()), config.Levels());
    ASSERT_EQ(static_cast<int>(result.encryptedParameters.size()), config.Levels());
    for (int i = 1; i <= config.Levels(); ++i)
    {
      EXPECT_EQ(result.alphas[i - 1].sizes(), torch::IntArrayRef({ batch, config.Channels(i) }));
      EXPECT_EQ(result.encryptedParameters[i - 1].sizes(), torch::IntArrayRef({ batch, config.Channels(i) }));
      EXPECT_GE(result.alphas[i - 1].min().item<double>(), config.alphaMin);
      EXPECT_LE(result.alphas[i - 1].max().item<double>(), 1.0);
    }
    const auto recovered = net->recoverAlphas(result.encryptedParameters, keys);
    for (int i = 0; i < config.Levels(); ++i)
    {
      EXPECT_LT((recovered[i] - result.alphas[i]).abs().max().item<double>(), 1e-5);
    }
    const torch::Tensor decrypted = net->decrypt(result.cipher, result.encryptedParameters, keys);
    EXPECT_EQ(decrypted.sizes(), plain.sizes());
    EXPECT_TRUE(torch::allclose(decrypted, net->decryptWithParameters(result.cipher, recovered, keys)));
    EXPECT_GE(decrypted.min().item<double>(), 0.0);
    EXPECT_LE(decrypted.max().item<double>(), 1.0);
    // A key of the wrong shape is refused.
    auto badKeys = keys;
    badKeys[0] = badKeys[0].narrow(1, 0, 2);
    EXPECT_THROW(net->encrypt(plain, badKeys), std::invalid_argument);
  }
}

TEST(Network, FusionOffIsAnAutoencoderThatIgnoresKeys)
{
  torch::manual_seed(4);
  const ModelConfig config = ModelConfigPreset("tiny");
  CipherNet net(config);
  net->setFusionEnabled(false);
  EXPECT_FALSE(net->config().fusion);
  torch::NoGradGuard noGrad;
  const torch::Tensor plain = torch::rand({ 2, 1, 32, 32 });
  const EncryptResult withoutKeys = net->encrypt(plain, {});
  const EncryptResult withKeys = net->encrypt(plain, BatchKeys(config, 32, 2));
  EXPECT_TRUE(torch::equal(withoutKeys.cipher, withKeys.cipher));
  for (const auto & alpha : withoutKeys.alphas)
  {
    EXPECT_TRUE(torch::equal(alpha, torch::ones_like(alpha)));
  }
  EXPECT_EQ(net->decrypt(withoutKeys.cipher, withoutKeys.encryptedParameters, {}).sizes(), plain.sizes());
}

// Guideline 1 of the paper: every ciphertext pixel depends on every plaintext pixel.
TEST(Network, ReceptiveFieldCoversTheWholeTile)
{
  torch::manual_seed(5);
  const ModelConfig config = ModelConfigPreset("tiny");
  ASSERT_EQ(config.tileSize, 32);
  CipherNet net(config);
  const auto keys = BatchKeys(config, 32, 1);
  for (const auto & corner : { std::pair<int, int>{ 0, 0 }, std::pair<int, int>{ 31, 31 } })
  {
    torch::Tensor plain = torch::rand({ 1, 1, 32, 32 }).requires_grad_(true);
    const EncryptResult result = net->encrypt(plain, keys);
    result.cipher[0][0][corner.first][corner.second].backward();
    const torch::Tensor gradient = plain.grad().abs();
    EXPECT_EQ((gradient > 0).sum().item<int64_t>(), 32 * 32)
      << "cipher pixel (" << corner.first << ", " << corner.second << ") does not see "
      << (gradient == 0).sum().item<int64_t>() << " plaintext pixels";
  }
}

TEST(Network, FeatureKeysAreTheUniformisedSequences)
{
  const ModelConfig config = ModelConfigPreset("default"); // three levels
  const std::array<double, 4> x0{ 0.125, 0.375, 0.625, 0.875 };
  const auto keys = MakeFeatureKeys(x0, 3.99, 1000, config, 64);
  ASSERT_EQ(keys.size(), 3u);
  for (int i = 1; i <= 3; ++i)
  {
    const torch::Tensor & key = keys[i - 1];
    EXPECT_EQ(key.sizes(), torch::IntArrayRef({ config.Channels(i), 64 >> i, 64 >> i }));
    // Row-major fill: element (c, y, x) is value number (c H + y) W + x of x0_i's sequence.
    const auto expected = UniformisedSequence(x0[i - 1], 3.99, 1000, static_cast<std::size_t>(key.numel()));
    const int64_t h = key.size(1);
    const int64_t w = key.size(2);
    EXPECT_FLOAT_EQ(key[1][2][3].item<float>(), static_cast<float>(expected[(1 * h + 2) * w + 3]));
    EXPECT_FLOAT_EQ(key[0][0][0].item<float>(), static_cast<float>(expected[0]));
  }
  // More than four levels reuse x0_4 (a six-level configuration, checked on its fifth level).
  ModelConfig deep = config;
  deep.levelChannels = { 4, 4, 4, 4, 4, 4096 };
  deep.encryptionBlocks = deep.keyProjectionBlocks = deep.decryptionBlocks = { 1, 1, 1, 1, 1, 1 };
  deep.ffemGrowth = { 4, 4, 4, 4, 4, 4 };
  deep.tileSize = 64;
  const auto deepKeys = MakeFeatureKeys(x0, 3.99, 1000, deep, 64);
  EXPECT_FLOAT_EQ(deepKeys[4][0][0][0].item<float>(), static_cast<float>(UniformisedSequence(x0[3], 3.99, 1000, 1)[0]));
  const auto batch = StackFeatureKeys({ keys, keys });
  EXPECT_EQ(batch[0].sizes(), torch::IntArrayRef({ 2, config.Channels(1), 32, 32 }));
  EXPECT_THROW(MakeFeatureKeys(x0, 3.99, 1000, config, 60), std::invalid_argument);
}

TEST(Network, ConfigJsonRoundTripAndValidation)
{
  for (const auto & name : ModelConfigPresetNames())
  {
    const ModelConfig config = ModelConfigPreset(name);
    const ModelConfig back = ModelConfigFromJson(ModelConfigToJson(config), "test");
    EXPECT_EQ(back, config) << name;
    EXPECT_EQ(back.preset, name);
  }
  ModelConfig bad = ModelConfigPreset("default");
  bad.levelChannels.back() = 32; // r = 8 needs at least 64 channels in the bottleneck
  try
  {
    bad.Validate("custom.json");
    FAIL() << "a bottleneck below r^2 channels must be refused";
  }
  catch (const UserError & error)
  {
    EXPECT_NE(std::string(error.what()).find("r^2 = 64"), std::string::npos) << error.what();
  }
  bad = ModelConfigPreset("default");
  bad.encryptionBlocks.pop_back();
  EXPECT_THROW(bad.Validate(), UserError);
  bad = ModelConfigPreset("default");
  bad.tileSize = 100;
  EXPECT_THROW(bad.Validate(), UserError);
  EXPECT_THROW(ModelConfigPreset("huge"), UserError);
  EXPECT_THROW(ModelConfigFromJson("{\"format\": \"something-else\"}", "x.json"), UserError);
  EXPECT_THROW(ModelConfigFromJson("not json", "x.json"), UserError);
}

TEST(Network, AlphaCeiling)
{
  torch::manual_seed(8);
  ModelConfig config = ModelConfigPreset("tiny");
  config.alphaMax = 0.6;
  config.Validate();
  CipherNet net(config);
  net->eval();
  torch::NoGradGuard noGrad;
  const auto keys = BatchKeys(config, config.tileSize, 2);
  const torch::Tensor plain = torch::rand({ 2, 1, config.tileSize, config.tileSize });
  const EncryptResult result = net->encrypt(plain, keys);
  const auto recovered = net->recoverAlphas(result.encryptedParameters, keys);
  for (int i = 0; i < config.Levels(); ++i)
  {
    EXPECT_GE(result.alphas[i].min().item<double>(), config.alphaMin);
    EXPECT_LE(result.alphas[i].max().item<double>(), 0.6);
    EXPECT_LT((recovered[i] - result.alphas[i]).abs().max().item<double>(), 1e-5);
  }

  // The same weights with the paper's range [alphaMin, 1]: alpha grows by (1 - alphaMin) / (0.6 - alphaMin)
  // above alphaMin, and the model id differs although no weight does.
  ModelConfig full = config;
  full.alphaMax = 1.0;
  CipherNet wide(full);
  const auto source = net->named_parameters();
  for (auto & item : wide->named_parameters())
  {
    item.value().copy_(source[item.key()]);
  }
  const EncryptResult wider = wide->encrypt(plain, keys);
  const double scale = (1.0 - config.alphaMin) / (0.6 - config.alphaMin);
  EXPECT_LT(
    ((wider.alphas[0] - config.alphaMin) - scale * (result.alphas[0] - config.alphaMin)).abs().max().item<double>(),
    1e-5);
  EXPECT_NE(ComputeModelId(net), ComputeModelId(wide));

  // JSON: kept; absent (model files made before alpha_max) reads as 1; out of range is refused.
  EXPECT_EQ(ModelConfigFromJson(ModelConfigToJson(config), "test").alphaMax, 0.6);
  std::string old = ModelConfigToJson(full);
  const auto field = old.find("\"alpha_max\"");
  ASSERT_NE(field, std::string::npos);
  old.erase(field, old.find('\n', field) + 1 - field);
  ASSERT_EQ(old.find("alpha_max"), std::string::npos);
  EXPECT_EQ(ModelConfigFromJson(old, "old.json"), full);
  for (const double bad : { 1.5, config.alphaMin, 0.01 })
  {
    ModelConfig refused = config;
    refused.alphaMax = bad;
    EXPECT_THROW(refused.Validate(), UserError) << bad;
  }
}

TEST(Network, ShippedModelLoadsWithTheIdOfItsCard)
{
  std::ifstream cardFile(MEDCRYPT_MODEL_CARD);
  ASSERT_TRUE(cardFile) << MEDCRYPT_MODEL_CARD;
  const std::string card((std::istreambuf_iterator<char>(cardFile)), std::istreambuf_iterator<char>());
  const std::string row = "| model id | `";
  const auto start = card.find(row);
  ASSERT_NE(start, std::string::npos) << "the card has no model id row";
  const std::string cardId = card.substr(start + row.size(), 64);
  const LoadedModel shipped = LoadModelFile(MEDCRYPT_SHIPPED_MODEL);
  EXPECT_EQ(shipped.modelId, cardId);
  EXPECT_EQ(shipped.net->config().preset, "default");
}

TEST(Network, PaperPresetMatchesTable1)
{
  const auto rows = CountParametersByModule(ModelConfigPreset("paper"));
  std::int64_t total = 0;
  std::cout << std::left << std::setw(10) << "module" << std::right << std::setw(14) << "ours" << std::setw(14)
            << "Table 1"
            << "\n";
  for (const auto & row : rows)
  {
    total += row.parameters;
    std::cout << std::left << std::setw(10) << row.module << std::right << std::setw(14) << row.parameters
              << std::setw(14) << (row.paperTable1 < 0 ? std::string("-") : std::to_string(row.paperTable1)) << "\n";
  }
  std::cout << std::left << std::setw(10) << "total" << std::right << std::setw(14) << total << std::setw(14)
            << PaperTable1TotalParameters << "\n";
  // Rows whose structure Table 1 fixes exactly are reproduced exactly.
  for (const auto & row : rows)
  {
    if (row.module == "head" || row.module == "fem" || row.module == "fdm" || row.module == "ffpm" ||
        row.module == "tail")
    {
      EXPECT_EQ(row.parameters, row.paperTable1) << row.module;
    }
  }
  EXPECT_LT(std::abs(static_cast<double>(total - PaperTable1TotalParameters)),
            0.10 * static_cast<double>(PaperTable1TotalParameters));
}

TEST(Network, ModelFileRoundTrip)
{
  torch::manual_seed(6);
  const ModelConfig config = ModelConfigPreset("tiny");
  CipherNet net(config);
  net->eval();
  const std::string path = TemporaryPath("model.pt");
  const std::string id = SaveModelFile(net, path);
  EXPECT_EQ(id, ComputeModelId(net));
  EXPECT_EQ(id.size(), 64u);

  LoadedModel loaded = LoadModelFile(path, config);
  loaded.net->eval();
  EXPECT_EQ(loaded.modelId, id);
  EXPECT_FALSE(loaded.storedAsHalf);
  EXPECT_EQ(loaded.net->config(), config);
  torch::NoGradGuard noGrad;
  const auto keys = BatchKeys(config, 32, 2);
  const torch::Tensor plain = torch::rand({ 2, 1, 32, 32 });
  const EncryptResult a = net->encrypt(plain, keys);
  const EncryptResult b = loaded.net->encrypt(plain, keys);
  EXPECT_TRUE(torch::equal(a.cipher, b.cipher));
  EXPECT_TRUE(torch::equal(net->decrypt(a.cipher, a.encryptedParameters, keys),
                           loaded.net->decrypt(b.cipher, b.encryptedParameters, keys)));

  // float16 storage: loads back as float32 equal to the rounded weights, with its own id.
  const std::string halfPath = TemporaryPath("model-half.pt");
  const std::string halfId = SaveModelFile(net, halfPath, true);
  EXPECT_NE(halfId, id);
  LoadedModel half = LoadModelFile(halfPath);
  EXPECT_TRUE(half.storedAsHalf);
  EXPECT_EQ(half.modelId, halfId);
  const auto original = net->named_parameters();
  for (const auto & item : half.net->named_parameters())
  {
    EXPECT_EQ(item.value().dtype(), torch::kFloat32);
    EXPECT_TRUE(torch::equal(item.value(), original[item.key()].to(torch::kFloat16).to(torch::kFloat32))) << item.key();
  }
  EXPECT_LT(std::ifstream(halfPath, std::ios::ate | std::ios::binary).tellg(),
            std::ifstream(path, std::ios::ate | std::ios::binary).tellg());

  // Another configuration than expected is refused, naming the file.
  try
  {
    LoadModelFile(path, ModelConfigPreset("default"));
    FAIL() << "a model of another configuration must be refused";
  }
  catch (const UserError & error)
  {
    EXPECT_NE(std::string(error.what()).find(path), std::string::npos) << error.what();
  }
  std::remove(path.c_str());
  std::remove(halfPath.c_str());
}

TEST(Network, AveragedModelsAreTheMeanAndKeepSharedWeightsExactly)
{
  const ModelConfig config = ModelConfigPreset("tiny");
  torch::manual_seed(21);
  CipherNet first(config);
  CipherNet second(config);
  CipherNet third(config);
  torch::NoGradGuard noGrad;
  // The encryption of the three is the same (as in the snapshots of a --train decryption run); the
  // decryption differs.
  const auto decryption = first->decryptionOnlyParameters();
  const auto isDecryption = [&decryption](const torch::Tensor & tensor)
  {
    for (const auto & parameter : decryption)
    {
      if (parameter.is_same(tensor))
      {
        return true;
      }
    }
    return false;
  };
  auto secondParameters = second->named_parameters();
  auto thirdParameters = third->named_parameters();
  for (const auto & item : first->named_parameters())
  {
    if (!isDecryption(item.value()))
    {
      secondParameters[item.key()].copy_(item.value());
      thirdParameters[item.key()].copy_(item.value());
    }
  }
  CipherNet averaged = AverageModels({ first, second, third });
  const auto firstParameters = first->named_parameters();
  for (const auto & item : averaged->named_parameters())
  {
    const torch::Tensor expected =
      (firstParameters[item.key()].to(torch::kFloat64) + secondParameters[item.key()].to(torch::kFloat64) +
       thirdParameters[item.key()].to(torch::kFloat64)) /
      3.0;
    EXPECT_TRUE(torch::equal(item.value(), expected.to(torch::kFloat32))) << item.key();
  }
  first->eval();
  averaged->eval();
  const auto keys = BatchKeys(config, 32, 2);
  const torch::Tensor plain = torch::rand({ 2, 1, 32, 32 });
  EXPECT_TRUE(torch::equal(first->encrypt(plain, keys).cipher, averaged->encrypt(plain, keys).cipher))
    << "shared encryption weights are copied, so the ciphertexts stay the same";
  EXPECT_FALSE(torch::equal(first->decryptionOnlyParameters().back(), averaged->decryptionOnlyParameters().back()));

  EXPECT_THROW(AverageModels({ first }), UserError);
  EXPECT_THROW(AverageModels({ first, CipherNet(ModelConfigPreset("default")) }), UserError);
}

TEST(Network, WidenedDecoderStartsAsTheTrainedModelAndItsNewChannelsLearn)
{
  const ModelConfig config = ModelConfigPreset("tiny");
  ModelConfig wideConfig = config;
  wideConfig.decoderHeadChannels = config.headChannels + 8;
  torch::manual_seed(23);
  CipherNet narrow(config);
  CipherNet wide(wideConfig);
  ASSERT_GT(CountParameters(wideConfig), CountParameters(config));
  CopyWeightsWidening(wide, narrow);
  narrow->eval();
  wide->eval();
  const auto keys = BatchKeys(config, 32, 2);
  const torch::Tensor plain = torch::rand({ 2, 1, 32, 32 });
  const EncryptResult narrowCipher = narrow->encrypt(plain, keys);
  const EncryptResult wideCipher = wide->encrypt(plain, keys);
  EXPECT_TRUE(torch::equal(narrowCipher.cipher, wideCipher.cipher)) << "encryption is copied as it is";
  const torch::Tensor expected = narrow->decrypt(narrowCipher.cipher, narrowCipher.encryptedParameters, keys);
  torch::Tensor restored = wide->decrypt(wideCipher.cipher, wideCipher.encryptedParameters, keys);
  EXPECT_LT((restored - expected).abs().max().item<double>(), 1e-6) << "the widened network decrypts alike";

  // The new channels reach the output through weights that start at zero but get a gradient.
  restored.sum().backward();
  const torch::Tensor outputWeights = wide->named_parameters()["tail.2.weight"];
  ASSERT_EQ(outputWeights.size(1), wideConfig.DecoderHeadChannels());
  const torch::Tensor newColumns = outputWeights.narrow(1, config.headChannels, 8);
  EXPECT_EQ(newColumns.abs().max().item<double>(), 0.0);
  EXPECT_GT(outputWeights.grad().narrow(1, config.headChannels, 8).abs().max().item<double>(), 0.0);

  EXPECT_THROW(CopyWeightsWidening(narrow, wide), UserError) << "a network cannot be narrowed";
  EXPECT_THROW(CopyWeightsWidening(wide, CipherNet(ModelConfigPreset("default"))), UserError);
}

TEST(Network, DecoderHeadChannelsDefaultToTheHeadInOlderConfigurations)
{
  ModelConfig config = ModelConfigPreset("default");
  EXPECT_EQ(config.DecoderHeadChannels(), config.headChannels);
  std::string json = ModelConfigToJson(config);
  const std::string field = "\"decoder_head_channels\": " + std::to_string(config.headChannels) + ",";
  const auto at = json.find(field);
  ASSERT_NE(at, std::string::npos) << json;
  json.erase(at, field.size()); // as in model files made before the field existed
  EXPECT_EQ(ModelConfigFromJson(json, "old.json"), config);
  config.decoderHeadChannels = 24;
  const ModelConfig back = ModelConfigFromJson(ModelConfigToJson(config), "wide.json");
  EXPECT_EQ(back.DecoderHeadChannels(), 24);
  EXPECT_NE(back, ModelConfigPreset("default"));
  config.decoderHeadChannels = -1;
  EXPECT_THROW(config.Validate(), UserError);
}

TEST(Network, DamagedAndForeignFilesAreRefused)
{
  torch::manual_seed(7);
  CipherNet net(ModelConfigPreset("tiny"));
  const std::string path = TemporaryPath("whole.pt");
  SaveModelFile(net, path);
  std::ifstream input(path, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(input)), std::istreambuf_iterator<char>());

  const auto expectRefused = [](const std::string & file)
  {
    try
    {
      LoadModelFile(file);
      ADD_FAILURE() << file << " was accepted";
    }
    catch (const UserError & error)
    {
      EXPECT_EQ(std::string(error.what()).rfind(file, 0), 0u)
        << "the message must start with the file name: " << error.what();
    }
  };
  const std::string truncated = TemporaryPath("truncated.pt");
  std::ofstream(truncated, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size() / 2));
  expectRefused(truncated);

  const std::string text = TemporaryPath("text.pt");
  std::ofstream(text) << "this is not a model\n";
  expectRefused(text);

  // A valid LibTorch archive that is not a MedCrypt model.
  const std::string foreign = TemporaryPath("foreign.pt");
  torch::serialize::OutputArchive archive;
  archive.write("weights", torch::ones({ 3 }));
  archive.save_to(foreign);
  expectRefused(foreign);

  expectRefused(TemporaryPath("missing.pt"));
  for (const auto & file : { path, truncated, text, foreign })
  {
    std::remove(file.c_str());
  }
}

TEST(Network, RunsOnCudaWhenAvailable)
{
  if (!torch::cuda::is_available())
  {
    GTEST_SKIP() << "no CUDA device in this LibTorch build or machine";
  }
  torch::manual_seed(8);
  const ModelConfig config = ModelConfigPreset("tiny");
  CipherNet cpu(config);
  CipherNet gpu(config);
  {
    torch::NoGradGuard noGrad;
    const auto source = cpu->named_parameters();
    for (auto & item : gpu->named_parameters())
    {
      item.value().copy_(source[item.key()]);
    }
  }
  gpu->to(torch::kCUDA);
  torch::NoGradGuard noGrad;
  const auto keys = BatchKeys(config, 32, 2);
  const torch::Tensor plain = torch::rand({ 2, 1, 32, 32 });
  const EncryptResult onCpu = cpu->encrypt(plain, keys);
  const EncryptResult onGpu = gpu->encrypt(plain.to(torch::kCUDA), keys);
  EXPECT_TRUE(onGpu.cipher.is_cuda());
  EXPECT_LT((onGpu.cipher.cpu() - onCpu.cipher).abs().max().item<double>(), 1e-4);
}

} // namespace

// The output calibration (a fixed rising map of the ciphertext values): exact inverse, fitted values
// against a distribution whose quantiles are known, its place in the network and in model files.
#include "medcrypt/CipherNet.h"
#include "medcrypt/Error.h"
#include "medcrypt/FeatureKeyTensors.h"
#include "medcrypt/FeatureKeys.h"
#include "medcrypt/ModelFile.h"
#include "medcrypt/OutputCalibration.h"
#include "medcrypt/OutputCalibrationFit.h"
#include "medcrypt/Trainer.h"
#include "medcrypt/TrainingImageSource.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <unistd.h>

namespace
{

using namespace medcrypt;

constexpr int S = OutputCalibrationSegments;

/** Samples u^2 with u uniform: their CDF is sqrt(x), so the fitted map should be sqrt. */
torch::Tensor
SquaredUniformSamples(int64_t count)
{
  torch::manual_seed(3);
  return torch::rand({ count }, torch::kFloat64).square();
}

std::string
TemporaryPath(const std::string & name)
{
  const char * directory = std::getenv("TMPDIR");
  return std::string(directory ? directory : "/tmp") + "/medcryptOutputCalibrationGTest-" + std::to_string(::getpid()) +
         "-" + name;
}

std::vector<torch::Tensor>
BatchKeys(const ModelConfig & config, int tile, int batch)
{
  std::vector<std::vector<torch::Tensor>> perTile;
  for (int b = 0; b < batch; ++b)
  {
    const double base = 0.12 + 0.19 * b;
    perTile.push_back(MakeFeatureKeys({ base, base + 0.05, base + 0.11, base + 0.23 }, 3.99, 1000, config, tile));
  }
  return StackFeatureKeys(perTile);
}

TEST(OutputCalibration, IdentityIsTheIdentity)
{
  const torch::Tensor identity = IdentityOutputCalibration();
  ASSERT_EQ(identity.size(0), S + 1);
  EXPECT_TRUE(IsIdentityOutputCalibration(identity));
  EXPECT_NO_THROW(ValidateOutputCalibration(identity, "identity"));
  const torch::Tensor values = torch::rand({ 1000 });
  EXPECT_LT((ApplyOutputCalibration(values, identity) - values).abs().max().item<double>(), 1e-6);
  EXPECT_LT((InvertOutputCalibration(values, identity) - values).abs().max().item<double>(), 1e-6);
}

TEST(OutputCalibration, FittedMapIsTheSamplesCdfAndItsInverseIsExact)
{
  const torch::Tensor samples = SquaredUniformSamples(2'000'000);
  const torch::Tensor knots = FitOutputCalibration(samples);
  EXPECT_FALSE(IsIdentityOutputCalibration(knots));
  EXPECT_EQ(knots.dtype(), torch::kFloat32);
  // knot k is the k / S quantile of u^2, (k / S)^2; the sampling error of a quantile is about
  // sqrt(q (1 - q) / n) / density, under 1e-3 here
  for (int k : { 1, 64, 256, 512, 768, 1000 })
  {
    const double q = static_cast<double>(k) / S;
    EXPECT_NEAR(knots[k].item<double>(), q * q, 1.5e-3) << k;
  }
  // F is sqrt, by hand: F(0.25) = 0.5, F(0.81) = 0.9, F(0) = 0, F(1) = 1
  const torch::Tensor points = torch::tensor({ 0.0, 0.25, 0.81, 1.0 });
  const torch::Tensor mapped = ApplyOutputCalibration(points, knots);
  EXPECT_EQ(mapped[0].item<double>(), 0.0);
  EXPECT_NEAR(mapped[1].item<double>(), 0.5, 1e-3);
  EXPECT_NEAR(mapped[2].item<double>(), 0.9, 1e-3);
  EXPECT_EQ(mapped[3].item<double>(), 1.0);
  // the inverse undoes the map, both ways, to float32 rounding (16-bit ciphertext steps are 1.5e-5)
  const torch::Tensor values = torch::rand({ 100000 });
  EXPECT_LT((InvertOutputCalibration(ApplyOutputCalibration(values, knots), knots) - values).abs().max().item<double>(),
            1e-6);
  EXPECT_LT((ApplyOutputCalibration(InvertOutputCalibration(values, knots), knots) - values).abs().max().item<double>(),
            1e-5);
  // and it rises
  const torch::Tensor grid = torch::linspace(0, 1, 20001);
  const torch::Tensor image = ApplyOutputCalibration(grid, knots);
  EXPECT_TRUE((image.slice(0, 1) >= image.slice(0, 0, -1)).all().item<bool>());
}

TEST(OutputCalibration, FittedSamplesAreUniformInEveryEightBitBin)
{
  const torch::Tensor samples = SquaredUniformSamples(1'000'000);
  const torch::Tensor knots = FitOutputCalibration(samples).to(torch::kFloat64);
  const auto counts = [](const torch::Tensor & values)
  { return torch::bincount((values * 256).floor().clamp(0, 255).to(torch::kLong), {}, 256).to(torch::kFloat64); };
  const torch::Tensor before = counts(samples);
  const torch::Tensor after = counts(ApplyOutputCalibration(samples, knots));
  const double uniform = 1'000'000.0 / 256;
  EXPECT_GT(before[0].item<double>(), 10 * uniform); // u^2 piles up near 0
  EXPECT_LT((after - uniform).abs().max().item<double>(), 0.01 * uniform);
}

TEST(OutputCalibration, PiledUpSamplesStillGiveARisingMap)
{
  // a saturated sigmoid: most values exactly 0 or 1
  torch::Tensor samples = torch::zeros({ 10000 }, torch::kFloat64);
  samples.slice(0, 6000) = 1.0;
  samples.slice(0, 4000, 6000) = torch::rand({ 2000 }, torch::kFloat64);
  const torch::Tensor knots = FitOutputCalibration(samples);
  EXPECT_NO_THROW(ValidateOutputCalibration(knots, "piled up"));
  EXPECT_GE((knots.slice(0, 1) - knots.slice(0, 0, -1)).min().item<double>(), 0.5 * OutputCalibrationMinimumGap);
  const torch::Tensor values = torch::rand({ 10000 });
  EXPECT_LT((InvertOutputCalibration(ApplyOutputCalibration(values, knots), knots) - values).abs().max().item<double>(),
            1e-5);
}

TEST(OutputCalibration, BadKnotsAndTooFewSamplesAreRefused)
{
  EXPECT_THROW(ValidateOutputCalibration(torch::linspace(0, 1, S), "short"), UserError);
  torch::Tensor falling = IdentityOutputCalibration();
  falling[10] = falling[9];
  EXPECT_THROW(ValidateOutputCalibration(falling, "flat"), UserError);
  torch::Tensor shifted = IdentityOutputCalibration() * 0.5;
  EXPECT_THROW(ValidateOutputCalibration(shifted, "not onto [0, 1]"), UserError);
  torch::Tensor nan = IdentityOutputCalibration();
  nan[5] = std::nan("");
  EXPECT_THROW(ValidateOutputCalibration(nan, "nan"), UserError);
  EXPECT_THROW(FitOutputCalibration(torch::rand({ S - 1 })), UserError);
  CipherNet net(ModelConfigPreset("tiny"));
  EXPECT_THROW(net->setOutputCalibration(falling), UserError);
  EXPECT_TRUE(IsIdentityOutputCalibration(net->outputCalibration()));
}

TEST(OutputCalibration, CalibratedNetworkMapsItsCiphertextAndDecryptsAsBefore)
{
  torch::manual_seed(8);
  const ModelConfig config = ModelConfigPreset("tiny");
  CipherNet plainNet(config);
  plainNet->eval();
  CipherNet calibratedNet(config);
  calibratedNet->eval();
  {
    torch::NoGradGuard noGrad;
    const auto source = plainNet->named_parameters();
    for (auto & item : calibratedNet->named_parameters())
    {
      item.value().copy_(source[item.key()]);
    }
  }
  const torch::Tensor knots = FitOutputCalibration(SquaredUniformSamples(100000));
  calibratedNet->setOutputCalibration(knots);

  torch::NoGradGuard noGrad;
  const int tile = 32;
  const auto keys = BatchKeys(config, tile, 2);
  const torch::Tensor plain = torch::rand({ 2, 1, tile, tile });
  const EncryptResult uncalibrated = plainNet->encrypt(plain, keys);
  const EncryptResult calibrated = calibratedNet->encrypt(plain, keys);
  EXPECT_LT((calibrated.cipher - ApplyOutputCalibration(uncalibrated.cipher, knots)).abs().max().item<double>(), 1e-6);
  EXPECT_GT((calibrated.cipher - uncalibrated.cipher).abs().max().item<double>(), 1e-3);
  for (std::size_t i = 0; i < uncalibrated.encryptedParameters.size(); ++i)
  {
    EXPECT_TRUE(torch::equal(calibrated.encryptedParameters[i], uncalibrated.encryptedParameters[i]));
  }
  const torch::Tensor a = plainNet->decrypt(uncalibrated.cipher, uncalibrated.encryptedParameters, keys);
  const torch::Tensor b = calibratedNet->decrypt(calibrated.cipher, calibrated.encryptedParameters, keys);
  EXPECT_LT((a - b).abs().max().item<double>(), 1e-4);
}

TEST(OutputCalibration, ModelFilesKeepItExactlyEvenAsFloat16AndItChangesTheId)
{
  torch::manual_seed(9);
  CipherNet net(ModelConfigPreset("tiny"));
  const std::string plainPath = TemporaryPath("plain.pt");
  const std::string plainId = SaveModelFile(net, plainPath);
  const torch::Tensor knots = FitOutputCalibration(SquaredUniformSamples(100000));
  net->setOutputCalibration(knots);
  for (const bool half : { false, true })
  {
    const std::string path = TemporaryPath(half ? "calibrated-half.pt" : "calibrated.pt");
    const std::string id = SaveModelFile(net, path, half);
    EXPECT_NE(id, plainId);
    const LoadedModel loaded = LoadModelFile(path);
    EXPECT_EQ(loaded.modelId, id);
    EXPECT_EQ(loaded.storedAsHalf, half);
    EXPECT_TRUE(torch::equal(loaded.net->outputCalibration(), knots)) << "half " << half;
    std::remove(path.c_str());
  }
  EXPECT_TRUE(IsIdentityOutputCalibration(LoadModelFile(plainPath).net->outputCalibration()));
  std::remove(plainPath.c_str());
}

TEST(OutputCalibration, ModelFilesFromBeforeItLoadWithTheirIds)
{
  // model/weights/candidate.mcmodel was written (session 10) before the calibration existed: it has no
  // output_calibration entry, loads with the identity and keeps the id its training log records.
  const LoadedModel old = LoadModelFile(MEDCRYPT_PRE_CALIBRATION_MODEL);
  EXPECT_EQ(old.modelId, "38129b8d4325cd351d2ab6fe7c0db5e315133df8099335f61249aac33cf6c604");
  EXPECT_TRUE(IsIdentityOutputCalibration(old.net->outputCalibration()));
}

TEST(OutputCalibration, FitOnImagesMakesTheNetworksCiphertextUniformAndLeavesTheNetwork)
{
  torch::manual_seed(10);
  ModelConfig config = ModelConfigPreset("tiny");
  CipherNet net(config);
  std::vector<at::Tensor> images;
  for (int i = 0; i < 6; ++i)
  {
    const torch::Tensor ramp = torch::linspace(0, 1, 96).view({ 1, 1, 96 }).expand({ 1, 80, 96 });
    images.push_back((ramp * (0.3 + 0.1 * i) + 0.2 * torch::rand({ 1, 80, 96 })).clamp(0, 1).contiguous());
  }
  TensorImageSource source(images);
  const OutputCalibrationFit fit = FitOutputCalibrationOnImages(net, source, 64, 5);
  EXPECT_EQ(fit.tiles, 64);
  EXPECT_NO_THROW(ValidateOutputCalibration(fit.knots, "fit"));
  EXPECT_TRUE(IsIdentityOutputCalibration(net->outputCalibration()));
  EXPECT_GT(fit.entropyAfter, fit.entropyBefore);
  EXPECT_GT(fit.entropyAfter, 7.99); // in-sample: 64 tiles of the tiny preset's tile, 256 bins
  // the same seed gives the same fit; a calibrated network fitted again gives it as well, since the fit
  // undoes the calibration it holds
  const OutputCalibrationFit again = FitOutputCalibrationOnImages(net, source, 64, 5);
  EXPECT_TRUE(torch::equal(again.knots, fit.knots));
  net->setOutputCalibration(fit.knots);
  const OutputCalibrationFit refit = FitOutputCalibrationOnImages(net, source, 64, 5);
  EXPECT_LT((refit.knots - fit.knots).abs().max().item<double>(), 1e-5);
  EXPECT_THROW(FitOutputCalibrationOnImages(net, source, 0, 5), UserError);
}

TEST(OutputCalibration, TrainingKeepsItThroughInitCheckpointResumeAndExport)
{
  at::set_num_threads(1);
  torch::manual_seed(12);
  const ModelConfig config = ModelConfigPreset("tiny");
  CipherNet start(config);
  const torch::Tensor knots = FitOutputCalibration(SquaredUniformSamples(100000));
  start->setOutputCalibration(knots);
  const std::string model = TemporaryPath("init.pt");
  SaveModelFile(start, model);

  std::vector<at::Tensor> images;
  for (int i = 0; i < 4; ++i)
  {
    images.push_back(torch::rand({ 1, 40, 40 }));
  }
  auto source = std::make_shared<TensorImageSource>(images);
  TrainerOptions options;
  options.cropSize = 32;
  options.seed = 4;
  options.pretrainSteps = 0;
  options.totalSteps = 4;
  options.initialModelPath = model;
  Trainer trainer(config, options, source);
  EXPECT_TRUE(torch::equal(trainer.Network()->outputCalibration(), knots)) << "--init takes the calibration";
  trainer.Step();
  trainer.Step();
  EXPECT_TRUE(torch::equal(trainer.Network()->outputCalibration(), knots)) << "training does not change it";
  const std::string checkpoint = TemporaryPath("calibrated.checkpoint");
  trainer.SaveCheckpoint(checkpoint);

  TrainerOptions resumeOptions = options;
  resumeOptions.initialModelPath.clear();
  Trainer resumed(config, resumeOptions, source);
  EXPECT_TRUE(IsIdentityOutputCalibration(resumed.Network()->outputCalibration()));
  resumed.LoadCheckpoint(checkpoint);
  EXPECT_TRUE(torch::equal(resumed.Network()->outputCalibration(), knots)) << "the checkpoint holds it";
  const std::string exported = TemporaryPath("exported.pt");
  resumed.SaveModel(exported, true);
  EXPECT_TRUE(torch::equal(LoadModelFile(exported).net->outputCalibration(), knots)) << "the model file holds it";
  for (const std::string & path : { model, checkpoint, exported })
  {
    std::remove(path.c_str());
  }
}

} // namespace

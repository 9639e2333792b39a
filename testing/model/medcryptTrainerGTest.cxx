// Training (paper III.C): the data pipeline, learning on synthetic phantoms, checkpoint and resume.
#include "medcrypt/CipherNet.h"
#include "medcrypt/DecryptionRefinement.h"
#include "medcrypt/Error.h"
#include "medcrypt/FeatureKeyTensors.h"
#include "medcrypt/Losses.h"
#include "medcrypt/ModelFile.h"
#include "medcrypt/Trainer.h"
#include "medcrypt/TrainingData.h"

#include <gtest/gtest.h>

#include <cmath>

#include <cstdio>
#include <functional>
#include <iostream>
#include <sstream>
#include <unistd.h>

namespace
{

using namespace medcrypt;

std::string
TemporaryPath(const std::string & name)
{
  const char * directory = std::getenv("TMPDIR");
  return std::string(directory ? directory : "/tmp") + "/medcryptTrainerGTest-" + std::to_string(::getpid()) + "-" +
         name;
}

/** Smooth synthetic phantoms [1, size, size] in [0, 1]: a few Gaussian blobs on a gentle ramp, with
 * positions and widths from a fixed formula (no random numbers, so every run sees the same images). */
std::shared_ptr<TensorImageSource>
Phantoms(int count, int size)
{
  std::vector<at::Tensor> images;
  const torch::Tensor coordinates = torch::linspace(0, 1, size);
  const torch::Tensor y = coordinates.view({ size, 1 }).expand({ size, size });
  const torch::Tensor x = coordinates.view({ 1, size }).expand({ size, size });
  for (int n = 0; n < count; ++n)
  {
    torch::Tensor image = 0.2 * (x * std::cos(n) + y * std::sin(n));
    for (int blob = 0; blob < 3; ++blob)
    {
      const double cx = 0.2 + 0.6 * std::fmod(0.37 * (n + 1) * (blob + 2), 1.0);
      const double cy = 0.2 + 0.6 * std::fmod(0.61 * (n + 2) * (blob + 1), 1.0);
      const double width = 0.08 + 0.05 * blob;
      image = image + (0.5 + 0.2 * blob) * torch::exp(-((x - cx).pow(2) + (y - cy).pow(2)) / (2 * width * width));
    }
    image = (image - image.min()) / (image.max() - image.min());
    images.push_back(image.unsqueeze(0).contiguous());
  }
  return std::make_shared<TensorImageSource>(images);
}

TrainerOptions
TinyOptions()
{
  TrainerOptions options;
  options.cropSize = 32;
  options.batchSize = 4;
  options.seed = 11;
  options.progressEvery = 100;
  return options;
}

TEST(TrainingData, CropsKeysAndTwins)
{
  auto source = Phantoms(3, 40);
  TrainingRandom random(5);
  const ModelConfig config = ModelConfigPreset("tiny");
  AugmentationOptions augmentation;
  augmentation.minBits = augmentation.maxBits = 8;
  const torch::Tensor batch = SampleBatch(*source, 4, 32, augmentation, random);
  EXPECT_EQ(batch.sizes(), torch::IntArrayRef({ 4, 1, 32, 32 }));
  EXPECT_GE(batch.min().item<double>(), 0.0);
  EXPECT_LE(batch.max().item<double>(), 1.0);
  // Quantised to 8 bits: every value is k / 255.
  EXPECT_LT((batch * 255 - torch::round(batch * 255)).abs().max().item<double>(), 1e-4);
  // Images smaller than the crop are padded.
  auto small = Phantoms(1, 20);
  EXPECT_EQ(SampleCrop(*small, 32, augmentation, random).sizes(), torch::IntArrayRef({ 1, 32, 32 }));

  const torch::Tensor twin = ChangeOnePixel(batch, random);
  const torch::Tensor changed = (twin - batch).abs().flatten(1);
  for (int b = 0; b < 4; ++b)
  {
    EXPECT_EQ((changed[b] > 0).sum().item<int64_t>(), 1);
    EXPECT_NEAR(changed[b].max().item<double>(), 1.0 / 255.0, 1e-6);
  }
  const auto keys = RandomFeatureKeys(config, 4, 32, random);
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_EQ(keys[0].sizes(), torch::IntArrayRef({ 4, 16, 16, 16 }));
  EXPECT_EQ(keys[1].sizes(), torch::IntArrayRef({ 4, 16, 8, 8 }));
  EXPECT_FALSE(torch::equal(keys[0][0], keys[0][1])) << "each image has its own keys";

  // Restoring the random state replays the same stream.
  const std::string engine = random.EngineState();
  const torch::Tensor generator = random.GeneratorState();
  const torch::Tensor first = SampleBatch(*source, 2, 32, AugmentationOptions{}, random);
  random.Restore(engine, generator);
  EXPECT_TRUE(torch::equal(first, SampleBatch(*source, 2, 32, AugmentationOptions{}, random)));
}

TEST(TrainingData, ZoomResamplesAWindowOfCropOverS)
{
  // A horizontal ramp x[i, j] = j / 63 on 64 x 64 pixels. Zoom 0.5 cuts a 64 x 64 window (the whole
  // image) and resamples it bilinearly to 32 x 32 with pixel centres aligned as evaluate's
  // resampling: output column j samples input column 2 j + 0.5, so the value is (2 j + 0.5) / 63.
  const torch::Tensor ramp = torch::arange(64, torch::kFloat32).div(63.0).view({ 1, 1, 64 }).expand({ 1, 64, 64 });
  TensorImageSource source(std::vector<at::Tensor>{ ramp.contiguous() });
  AugmentationOptions augmentation;
  augmentation.flips = augmentation.turns = false;
  augmentation.windowProbability = augmentation.noiseProbability = 0.0;
  augmentation.minBits = augmentation.maxBits = 16;
  augmentation.zoomProbability = 1.0;
  augmentation.minZoom = augmentation.maxZoom = 0.5;
  TrainingRandom random(3);
  const torch::Tensor zoomed = SampleCrop(source, 32, augmentation, random);
  ASSERT_EQ(zoomed.sizes(), torch::IntArrayRef({ 1, 32, 32 }));
  const torch::Tensor expected =
    (torch::arange(32, torch::kFloat32) * 2 + 0.5).div(63.0).view({ 1, 1, 32 }).expand({ 1, 32, 32 });
  EXPECT_LT((zoomed - expected).abs().max().item<double>(), 2e-5);

  // Zoom 2 cuts a 16 x 16 window: the crop's columns step by half an input pixel.
  augmentation.minZoom = augmentation.maxZoom = 2.0;
  const torch::Tensor enlarged = SampleCrop(source, 32, augmentation, random);
  const torch::Tensor steps = enlarged.select(1, 5).diff(1, -1).slice(-1, 1, -1);
  EXPECT_LT((steps - 0.5 / 63.0).abs().max().item<double>(), 2e-5);

  // The window never exceeds the image: zoom 0.25 on this 64 x 64 image acts as 0.5.
  augmentation.minZoom = augmentation.maxZoom = 0.25;
  EXPECT_LT((SampleCrop(source, 32, augmentation, random) - expected).abs().max().item<double>(), 2e-5);

  // Probability 0 draws nothing more: the stream is that of the options without zoom.
  auto phantoms = Phantoms(3, 40);
  TrainingRandom plain(21);
  TrainingRandom off(21);
  AugmentationOptions zoomOff;
  zoomOff.minZoom = 0.3;
  EXPECT_TRUE(torch::equal(SampleBatch(*phantoms, 3, 32, AugmentationOptions{}, plain),
                           SampleBatch(*phantoms, 3, 32, zoomOff, off)));
  EXPECT_EQ(plain.EngineState(), off.EngineState());
}

TEST(TrainingData, SingleLevelTwinsChangeOneKeyAlone)
{
  auto source = Phantoms(3, 40);
  const ModelConfig config = ModelConfigPreset("tiny");
  TrainingRandom random(9);
  const torch::Tensor batch = SampleBatch(*source, 4, 32, AugmentationOptions{}, random);
  const auto keys = RandomFeatureKeys(config, 4, 32, random);

  // Probability 0: exactly the old stream, a one-pixel change with every key new.
  TrainingRandom replay(17);
  const torch::Tensor pixelTwins = ChangeOnePixel(batch, replay);
  const auto freshKeys = RandomFeatureKeys(config, 4, 32, replay);
  TrainingRandom again(17);
  const TwinBatch plainTwins = MakeTwins(batch, keys, config, 0.0, again);
  EXPECT_TRUE(torch::equal(plainTwins.images, pixelTwins));
  for (std::size_t level = 0; level < keys.size(); ++level)
  {
    EXPECT_TRUE(torch::equal(plainTwins.keys[level], freshKeys[level]));
  }

  // Probability 1: every twin has the plaintext and differs from its image in the key of one level only.
  const TwinBatch twins = MakeTwins(batch, keys, config, 1.0, random);
  EXPECT_TRUE(torch::equal(twins.images, batch));
  std::vector<int> changedLevels(keys.size(), 0);
  for (int b = 0; b < 4; ++b)
  {
    int changed = 0;
    for (std::size_t level = 0; level < keys.size(); ++level)
    {
      if (!torch::equal(twins.keys[level][b], keys[level][b]))
      {
        ++changed;
        ++changedLevels[level];
      }
    }
    EXPECT_EQ(changed, 1) << "image " << b;
  }
  EXPECT_EQ(changedLevels[0] + changedLevels[1], 4);
}

TEST(Trainer, OptionsAreValidated)
{
  auto source = Phantoms(2, 32);
  TrainerOptions options = TinyOptions();
  options.cropSize = 30; // not a multiple of r = 4
  EXPECT_THROW(Trainer(ModelConfigPreset("tiny"), options, source), UserError);
  options = TinyOptions();
  options.pretrainSteps = options.totalSteps + 1;
  EXPECT_THROW(Trainer(ModelConfigPreset("tiny"), options, source), UserError);
  options = TinyOptions();
  options.wrongKeyImages = 5; // more than the batch
  EXPECT_THROW(Trainer(ModelConfigPreset("tiny"), options, source), UserError);
  options = TinyOptions();
  options.singleLevelTwins = 1.5;
  EXPECT_THROW(Trainer(ModelConfigPreset("tiny"), options, source), UserError);
  options = TinyOptions();
  options.diffusionWeight = -0.5;
  EXPECT_THROW(Trainer(ModelConfigPreset("tiny"), options, source), UserError);
  options = TinyOptions();
  options.twinCorrelationWeight = std::nan("");
  EXPECT_THROW(Trainer(ModelConfigPreset("tiny"), options, source), UserError);
  options = TinyOptions();
  options.reconstructionWeight = -1.0;
  EXPECT_THROW(Trainer(ModelConfigPreset("tiny"), options, source), UserError);
  options = TinyOptions();
  options.conditioningFloor = 0.0;
  EXPECT_THROW(Trainer(ModelConfigPreset("tiny"), options, source), UserError);
  options = TinyOptions();
  options.attacks.maxNoiseSigma = -0.01;
  EXPECT_THROW(Trainer(ModelConfigPreset("tiny"), options, source), UserError);
  options = TinyOptions();
  options.attacks.maxRectangleFraction = 1.5;
  EXPECT_THROW(Trainer(ModelConfigPreset("tiny"), options, source), UserError);
  options = TinyOptions();
  options.augmentation.zoomProbability = 1.5;
  EXPECT_THROW(Trainer(ModelConfigPreset("tiny"), options, source), UserError);
  options = TinyOptions();
  options.augmentation.minZoom = 0.0;
  EXPECT_THROW(Trainer(ModelConfigPreset("tiny"), options, source), UserError);
  options = TinyOptions();
  options.augmentation.minZoom = 0.8;
  options.augmentation.maxZoom = 0.6;
  EXPECT_THROW(Trainer(ModelConfigPreset("tiny"), options, source), UserError);
  options = TinyOptions();
  options.refinementTrainingSteps = 1; // trains the decoder alone: needs --train decryption
  EXPECT_THROW(Trainer(ModelConfigPreset("tiny"), options, source), UserError);
  options = TinyOptions();
  options.refinementTrainingSteps = -1;
  EXPECT_THROW(Trainer(ModelConfigPreset("tiny"), options, source), UserError);
  options = TinyOptions();
  options.decryptionOnly = true;
  options.pretrainSteps = 0;
  options.refinementTrainingSteps = 1;
  options.refinedStructureWeight = 1.0;
  EXPECT_NO_THROW(options.Validate(ModelConfigPreset("tiny")));
  options.refinedStructureWeight = -1.0;
  EXPECT_THROW(options.Validate(ModelConfigPreset("tiny")), UserError);
  options.refinedStructureWeight = 1.0; // a term of the refined decryption: needs refinementTrainingSteps
  options.refinementTrainingSteps = 0;
  EXPECT_THROW(options.Validate(ModelConfigPreset("tiny")), UserError);
  options = TinyOptions();
  EXPECT_THROW(
    Trainer(ModelConfigPreset("tiny"), options, std::make_shared<TensorImageSource>(std::vector<at::Tensor>{})),
    UserError);
}

/** What a network makes of the central crops of the training images under fixed keys. */
struct Evaluation
{
  double l1 = 0;         // mean L1 error of decrypt(encrypt(x))
  double refinedL1 = 0;  // the same after one defect-correction step (RefineDecryption)
  double entropy = 0;    // mean soft entropy (bits) of the ciphertexts
  torch::Tensor ciphers; // the ciphertexts
};

Evaluation
Evaluate(CipherNet net, TrainingImageSource & source)
{
  torch::NoGradGuard noGrad;
  std::vector<torch::Tensor> crops;
  for (std::size_t i = 0; i < source.size(); ++i)
  {
    const torch::Tensor image = source.get(i);
    const int64_t top = (image.size(1) - 32) / 2;
    const int64_t left = (image.size(2) - 32) / 2;
    crops.push_back(image.slice(1, top, top + 32).slice(2, left, left + 32));
  }
  const torch::Tensor plain = torch::stack(crops);
  std::vector<std::vector<torch::Tensor>> perImage;
  for (std::size_t i = 0; i < source.size(); ++i)
  {
    const double x0 = 0.1 + 0.1 * static_cast<double>(i);
    perImage.push_back(MakeFeatureKeys({ x0, x0 + 0.01, x0 + 0.02, x0 + 0.03 }, 3.99, 1000, net->config(), 32));
  }
  const auto keys = StackFeatureKeys(perImage);
  net->eval();
  const bool fusion = net->fusionEnabled();
  net->setFusionEnabled(true);
  const EncryptResult encrypted = net->encrypt(plain, keys);
  const torch::Tensor decrypted = net->decrypt(encrypted.cipher, encrypted.encryptedParameters, keys);
  const torch::Tensor refined = RefineDecryption(
    *net, encrypted.cipher, net->recoverAlphas(encrypted.encryptedParameters, keys), keys, decrypted, 1);
  net->setFusionEnabled(fusion);
  net->train();
  return { (decrypted - plain).abs().mean().item<double>(),
           (refined - plain).abs().mean().item<double>(),
           losses::Entropy(encrypted.cipher, 256).mean().item<double>(),
           encrypted.cipher };
}

double
LossNamed(const TrainingStepReport & report, const std::string & name)
{
  for (const auto & [key, value] : report.losses)
  {
    if (key == name)
    {
      return value;
    }
  }
  ADD_FAILURE() << "no loss named " << name;
  return 0.0;
}

/** The first joint step of two tiny runs with the same seed (so the same batch, keys and attacks): one
 * with TinyOptions() as they are, one with `change` applied to them. */
std::pair<TrainingStepReport, TrainingStepReport>
FirstJointSteps(const std::function<void(TrainerOptions &)> & change)
{
  at::set_num_threads(1);
  auto source = Phantoms(4, 40);
  TrainerOptions options = TinyOptions();
  options.pretrainSteps = 0;
  options.totalSteps = 1;
  Trainer unchanged(ModelConfigPreset("tiny"), options, source);
  change(options);
  Trainer changed(ModelConfigPreset("tiny"), options, source);
  return { unchanged.Step(), changed.Step() };
}

TEST(Trainer, ReconstructionWeightScalesTheL1TermOfTheTotal)
{
  const auto [one, four] = FirstJointSteps([](TrainerOptions & options) { options.reconstructionWeight = 4.0; });
  // Same seed, so the same batch, keys and attacks: every term but lambda_l1 L1 is the same.
  const double l1 = LossNamed(one, "l1");
  EXPECT_GT(l1, 0.0);
  EXPECT_DOUBLE_EQ(LossNamed(four, "l1"), l1);
  // The totals are float32 sums that the wrong-key histogram term makes large: compare to 0.1%.
  EXPECT_NEAR(LossNamed(four, "total") - LossNamed(one, "total"), 3.0 * l1, 3e-3 * l1);
}

TEST(Trainer, ConditioningTermEntersTheTotalWithItsWeight)
{
  const auto [off, on] = FirstJointSteps(
    [](TrainerOptions & options)
    {
      options.conditioningWeight = 2.0;
      options.conditioningFloor = 1e3; // far above any gain of an untrained network: the term is positive
    });
  EXPECT_EQ(LossNamed(off, "contraction"), 0.0);
  const double contraction = LossNamed(on, "contraction");
  EXPECT_GT(contraction, 0.0);
  // Same seed, so the same batch, keys and attacks: the totals differ by the weighted term alone.
  EXPECT_NEAR(LossNamed(on, "total") - LossNamed(off, "total"), 2.0 * contraction, 3e-3 * contraction);
  // It trains the encoder, so decryption-only runs refuse it (and accept the same options without it).
  auto source = Phantoms(2, 32);
  TrainerOptions options = TinyOptions();
  options.pretrainSteps = 0; // a decryption-only run has no pre-training
  options.conditioningWeight = 2.0;
  options.decryptionOnly = true;
  EXPECT_THROW(Trainer(ModelConfigPreset("tiny"), options, source), UserError);
  options.conditioningWeight = 0.0;
  EXPECT_NO_THROW(Trainer(ModelConfigPreset("tiny"), options, source));
}

TEST(Trainer, ConditioningFitMovesTheTermToTheFitsError)
{
  const auto withFit = [](int iterations)
  {
    return FirstJointSteps(
      [iterations](TrainerOptions & options)
      {
        options.conditioningWeight = 2.0;
        options.conditioningFloor = 1e3;
        options.conditioningFitIterations = iterations;
      });
  };
  const auto [off, firstError] = withFit(0);
  const auto [offAgain, fitError] = withFit(3);
  const double first = LossNamed(firstError, "contraction");
  const double fitted = LossNamed(fitError, "contraction");
  EXPECT_GT(fitted, 0.0);
  // Same batch and keys; the fit moves x' towards E(x') = C, along directions the encoder passes weakly,
  // so the gain it measures is lower and the term larger.
  EXPECT_GT(fitted, first + 1e-3);
  EXPECT_NEAR(LossNamed(fitError, "total") - LossNamed(offAgain, "total"), 2.0 * fitted, 3e-3 * fitted);
  // Out of range, or without the term it serves, it is refused.
  auto source = Phantoms(2, 32);
  TrainerOptions options = TinyOptions();
  options.conditioningFitIterations = 1;
  EXPECT_THROW(Trainer(ModelConfigPreset("tiny"), options, source), UserError);
  options.conditioningWeight = 1.0;
  options.conditioningFitIterations = 101;
  EXPECT_THROW(Trainer(ModelConfigPreset("tiny"), options, source), UserError);
  options.conditioningFitIterations = 100;
  EXPECT_NO_THROW(Trainer(ModelConfigPreset("tiny"), options, source));
}

TEST(Trainer, LearnsToEncryptAndDecryptPhantoms)
{
  at::set_num_threads(1); // one thread: fast and reproducible also on a busy machine
  auto source = Phantoms(6, 48);
  TrainerOptions options = TinyOptions();
  options.learningRate = 1e-3;
  options.epochSteps = 100;
  options.pretrainSteps = 120;
  options.totalSteps = 240;
  Trainer trainer(ModelConfigPreset("tiny"), options, source);
  const Evaluation before = Evaluate(trainer.Network(), *source);
  std::ostringstream progress;
  trainer.Run(progress);
  std::cout << progress.str();
  const Evaluation after = Evaluate(trainer.Network(), *source);
  std::cout << "L1 " << before.l1 << " -> " << after.l1 << ", cipher entropy " << before.entropy << " -> "
            << after.entropy << " bits\n";
  EXPECT_EQ(trainer.CurrentStep(), 240);
  EXPECT_LT(after.l1, 0.5 * before.l1);
  EXPECT_GT(after.entropy, before.entropy + 0.5);
  EXPECT_NE(progress.str().find("phase 2 encryption"), std::string::npos);
}

TEST(Trainer, ResumeReproducesAnUninterruptedRun)
{
  at::set_num_threads(1); // one thread: fast and reproducible also on a busy machine
  auto source = Phantoms(4, 40);
  TrainerOptions options = TinyOptions();
  options.pretrainSteps = 3;
  options.totalSteps = 8;
  const ModelConfig config = ModelConfigPreset("tiny");

  Trainer uninterrupted(config, options, source);
  for (int s = 0; s < 8; ++s)
  {
    uninterrupted.Step();
  }
  const std::string checkpoint = TemporaryPath("checkpoint.pt");
  {
    Trainer first(config, options, source);
    for (int s = 0; s < 5; ++s)
    {
      first.Step();
    }
    first.SaveCheckpoint(checkpoint);
  }
  Trainer resumed(config, options, source);
  resumed.LoadCheckpoint(checkpoint);
  EXPECT_EQ(resumed.CurrentStep(), 5);
  for (int s = 0; s < 3; ++s)
  {
    resumed.Step();
  }
  const auto expected = uninterrupted.Network()->named_parameters();
  for (const auto & item : resumed.Network()->named_parameters())
  {
    EXPECT_TRUE(torch::equal(item.value(), expected[item.key()])) << item.key();
  }

  // The comparison can fail: another seed gives other weights.
  TrainerOptions otherSeed = options;
  otherSeed.seed = 12;
  Trainer other(config, otherSeed, source);
  other.Step();
  EXPECT_FALSE(torch::equal(other.Network()->named_parameters()["head.weight"], expected["head.weight"]));

  // A checkpoint of another configuration or seed is refused.
  TrainerOptions defaultOptions = options;
  defaultOptions.cropSize = 64;
  Trainer wrongConfig(ModelConfigPreset("default"), defaultOptions, Phantoms(1, 64));
  EXPECT_THROW(wrongConfig.LoadCheckpoint(checkpoint), UserError);
  Trainer wrongSeed(config, otherSeed, source);
  EXPECT_THROW(wrongSeed.LoadCheckpoint(checkpoint), UserError);

  // The trained network saves as a model file with fusion on.
  const std::string model = TemporaryPath("model.pt");
  const std::string id = resumed.SaveModel(model, false);
  const LoadedModel loaded = LoadModelFile(model);
  EXPECT_EQ(loaded.modelId, id);
  EXPECT_TRUE(loaded.net->config().fusion);
  std::remove(checkpoint.c_str());
  std::remove(model.c_str());
}

} // namespace

namespace
{

/** A tiny model trained briefly on phantoms and saved to `path`. */
void
TrainBriefly(const std::string & path, std::shared_ptr<TensorImageSource> source)
{
  TrainerOptions options = TinyOptions();
  options.learningRate = 1e-3;
  options.pretrainSteps = 40;
  options.totalSteps = 80;
  Trainer trainer(ModelConfigPreset("tiny"), options, std::move(source));
  std::ostringstream progress;
  trainer.Run(progress);
  trainer.SaveModel(path, false);
}

TEST(Trainer, RefinementTrainingFitsTheRefinedDecryptionOfIntactCiphertexts)
{
  at::set_num_threads(1);
  auto source = Phantoms(6, 48);
  const std::string model = TemporaryPath("refinement-start.pt");
  TrainBriefly(model, source);

  TrainerOptions options = TinyOptions();
  options.learningRate = 1e-3;
  options.pretrainSteps = 0;
  options.totalSteps = 40;
  options.progressEvery = 1;
  options.initialModelPath = model;
  options.decryptionOnly = true;
  options.refinementTrainingSteps = 1;
  options.attacks.probability = 0.0; // every ciphertext intact: the refined term counts in every step
  Trainer trainer(ModelConfigPreset("tiny"), options, source);
  const Evaluation before = Evaluate(trainer.Network(), *source);
  std::ostringstream progress;
  trainer.Run(progress);
  const Evaluation after = Evaluate(trainer.Network(), *source);
  std::cout << "refined L1 " << before.refinedL1 << " -> " << after.refinedL1 << "\n";
  EXPECT_NE(progress.str().find("l1_refined"), std::string::npos);
  EXPECT_TRUE(torch::equal(after.ciphers, before.ciphers)) << "encryption must not change";
  EXPECT_LT(after.refinedL1, before.refinedL1);

  // Attacked ciphertexts are never refined (decrypt refines only intact ones): with every ciphertext
  // attacked the refined term is 0.
  TrainerOptions attacked = options;
  attacked.totalSteps = 1;
  attacked.attacks.probability = 1.0;
  Trainer allAttacked(ModelConfigPreset("tiny"), attacked, source);
  std::ostringstream attackedProgress;
  allAttacked.Run(attackedProgress);
  EXPECT_NE(attackedProgress.str().find("l1_refined 0.0000"), std::string::npos) << attackedProgress.str();
  std::remove(model.c_str());
}

} // namespace

TEST(Trainer, DecryptionOnlyFineTuningKeepsEveryCiphertext)
{
  at::set_num_threads(1); // one thread: fast and reproducible also on a busy machine
  auto source = Phantoms(6, 48);
  const std::string model = TemporaryPath("start.pt");
  TrainBriefly(model, source);
  const LoadedModel start = LoadModelFile(model);

  TrainerOptions options = TinyOptions();
  options.learningRate = 1e-3;
  options.pretrainSteps = 0;
  options.totalSteps = 60;
  options.initialModelPath = model;
  options.decryptionOnly = true;
  Trainer trainer(ModelConfigPreset("tiny"), options, source);

  // --init: the network starts as the model file's.
  const auto startWeights = start.net->named_parameters();
  for (const auto & item : trainer.Network()->named_parameters())
  {
    ASSERT_TRUE(torch::equal(item.value(), startWeights[item.key()])) << item.key();
  }
  const Evaluation before = Evaluate(trainer.Network(), *source);
  std::ostringstream progress;
  trainer.Run(progress);
  const Evaluation after = Evaluate(trainer.Network(), *source);
  std::cout << progress.str() << "decryption-only L1 " << before.l1 << " -> " << after.l1 << "\n";

  EXPECT_NE(progress.str().find("phase 2 decryption only"), std::string::npos);
  EXPECT_TRUE(torch::equal(after.ciphers, before.ciphers)) << "encryption must not change";
  EXPECT_LT(after.l1, before.l1);
  std::size_t changed = 0;
  for (const auto & item : trainer.Network()->named_parameters())
  {
    const bool same = torch::equal(item.value(), startWeights[item.key()]);
    for (const char * frozen : { "head.", "fem", "ffpm", "ffem", "cipher_out." })
    {
      if (item.key().rfind(frozen, 0) == 0)
      {
        EXPECT_TRUE(same) << item.key() << " belongs to encryption";
      }
    }
    changed += same ? 0 : 1;
  }
  EXPECT_EQ(changed, trainer.Network()->decryptionOnlyParameters().size()) << "every decryption parameter learns";

  // A decryption-only checkpoint does not resume a run that trains everything, nor the reverse.
  const std::string checkpoint = TemporaryPath("decryption.checkpoint");
  trainer.SaveCheckpoint(checkpoint);
  TrainerOptions everything = options;
  everything.decryptionOnly = false;
  Trainer full(ModelConfigPreset("tiny"), everything, source);
  EXPECT_THROW(full.LoadCheckpoint(checkpoint), UserError);
  Trainer same(ModelConfigPreset("tiny"), options, source);
  EXPECT_NO_THROW(same.LoadCheckpoint(checkpoint));
  EXPECT_EQ(same.CurrentStep(), 60);

  // Decryption-only training needs a trained network and no pre-training; --init needs the same network.
  TrainerOptions withPretraining = options;
  withPretraining.pretrainSteps = 10;
  EXPECT_THROW(Trainer(ModelConfigPreset("tiny"), withPretraining, source), UserError);
  TrainerOptions otherNetwork = options;
  otherNetwork.cropSize = 64;
  EXPECT_THROW(Trainer(ModelConfigPreset("default"), otherNetwork, Phantoms(1, 64)), UserError);
  // ... apart from the alpha range, which holds no weights: a new ceiling starts from the same weights.
  ModelConfig capped = ModelConfigPreset("tiny");
  capped.alphaMax = 0.75;
  Trainer cappedTrainer(capped, options, source);
  EXPECT_EQ(cappedTrainer.Network()->config().alphaMax, 0.75);
  for (const auto & item : cappedTrainer.Network()->named_parameters())
  {
    EXPECT_TRUE(torch::equal(item.value(), startWeights[item.key()])) << item.key();
  }
  // A checkpoint resumes only the network it was made with.
  EXPECT_THROW(cappedTrainer.LoadCheckpoint(checkpoint), UserError);
  TrainerOptions missing = options;
  missing.initialModelPath = TemporaryPath("no-such-model.pt");
  EXPECT_THROW(Trainer(ModelConfigPreset("tiny"), missing, source), UserError);
  std::remove(checkpoint.c_str());
  std::remove(model.c_str());
}

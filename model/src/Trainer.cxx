#include "medcrypt/Trainer.h"

#include "medcrypt/DecryptionRefinement.h"

#include "medcrypt/AttackSimulation.h"
#include "medcrypt/CipherNet.h"
#include "medcrypt/EncryptionFit.h"
#include "medcrypt/Error.h"
#include "medcrypt/Losses.h"
#include "medcrypt/ModelFile.h"
#include "medcrypt/ModelWidening.h"
#include "medcrypt/TrainingData.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <ostream>
#include <unistd.h>
#include <utility>

namespace medcrypt
{

namespace
{

constexpr const char * CheckpointFormat = "medcrypt-checkpoint";
constexpr int64_t CheckpointVersion = 1;

/** The configuration without its fusion switch (which only says how far training has come). */
ModelConfig
WithoutFusionState(ModelConfig config)
{
  config.fusion = true;
  return config;
}

/** The configuration's weight shapes: without the fusion switch and the alpha range, which rescale
 * alpha but hold no weights (so that --init may start a model with a new alpha ceiling). */
ModelConfig
WeightLayout(ModelConfig config)
{
  config = WithoutFusionState(config);
  config.alphaMin = ModelConfig{}.alphaMin;
  config.alphaMax = ModelConfig{}.alphaMax;
  return config;
}

torch::Device
ParseDevice(const std::string & name)
{
  try
  {
    const torch::Device device(name);
    if (device.is_cuda() && !torch::cuda::is_available())
    {
      throw UserError("--device " + name + ": no CUDA device is available to this LibTorch build; use --device cpu");
    }
    if (!device.is_cpu() && !device.is_cuda())
    {
      throw UserError("--device " + name + ": use cpu or cuda[:N]");
    }
    return device;
  }
  catch (const c10::Error &)
  {
    throw UserError("--device '" + name + "' is not a device name; use cpu or cuda[:N]");
  }
}

std::string
ReadCheckpointString(torch::serialize::InputArchive & archive, const char * key, const std::string & path)
{
  c10::IValue value;
  if (!archive.try_read(key, value) || !value.isString())
  {
    throw UserError(path + ": not a MedCrypt training checkpoint (no \"" + key + "\" entry)");
  }
  return value.toStringRef();
}

int64_t
ReadCheckpointInt(torch::serialize::InputArchive & archive, const char * key, const std::string & path)
{
  c10::IValue value;
  if (!archive.try_read(key, value) || !value.isInt())
  {
    throw UserError(path + ": not a MedCrypt training checkpoint (no \"" + key + "\" entry)");
  }
  return value.toInt();
}

/** Module::load, except that the output calibration may be missing: checkpoints from before it existed
 * keep the identity the network was built with. */
void
LoadNetworkWeights(CipherNet & net, torch::serialize::InputArchive & archive)
{
  for (auto & parameter : net->named_parameters(/*recurse=*/false))
  {
    archive.read(parameter.key(), parameter.value());
  }
  for (auto & buffer : net->named_buffers(/*recurse=*/false))
  {
    if (buffer.key() == OutputCalibrationName)
    {
      archive.try_read(buffer.key(), buffer.value(), /*is_buffer=*/true);
      continue;
    }
    archive.read(buffer.key(), buffer.value(), /*is_buffer=*/true);
  }
  for (const auto & child : net->named_children())
  {
    torch::serialize::InputArchive childArchive;
    archive.read(child.key(), childArchive);
    child.value()->load(childArchive);
  }
}

} // namespace

void
TrainerOptions::Validate(const ModelConfig & config) const
{
  const int r = config.SubPixelFactor();
  if (cropSize < r || cropSize % r != 0)
  {
    throw UserError("--crop " + std::to_string(cropSize) + " must be a positive multiple of r = " + std::to_string(r) +
                    " for this network");
  }
  if (batchSize < 1)
  {
    throw UserError("--batch must be at least 1");
  }
  if (!(learningRate > 0.0) || !std::isfinite(learningRate))
  {
    throw UserError("--lr must be a positive number");
  }
  if (!(decayPerEpoch > 0.0 && decayPerEpoch <= 1.0) || epochSteps < 1)
  {
    throw UserError("the learning-rate decay must lie in (0, 1] and --epoch-steps must be at least 1");
  }
  if (totalSteps < 0 || pretrainSteps < 0 || pretrainSteps > totalSteps)
  {
    throw UserError("--pretrain-steps must lie between 0 and --steps (" + std::to_string(totalSteps) + ")");
  }
  if (wrongKeyImages < 0 || wrongKeyImages == 1 || wrongKeyImages > batchSize)
  {
    throw UserError("--wrong-keys must be 0 (off) or between 2 and the batch size");
  }
  if (!(wrongKeyWeight >= 0.0) || !std::isfinite(wrongKeyWeight) || wrongKeyWarmupSteps < 0)
  {
    throw UserError("--wrong-key-weight must be a number >= 0 and --wrong-key-warmup at least 0");
  }
  for (const auto & [weight, flag] : { std::pair{ diffusionWeight, "--diffusion-weight" },
                                       std::pair{ reconstructionWeight, "--reconstruction-weight" },
                                       std::pair{ structureWeight, "--ssim-weight" },
                                       std::pair{ twinCorrelationWeight, "--twin-correlation-weight" },
                                       std::pair{ batchHistogramWeight, "--batch-histogram-weight" },
                                       std::pair{ conditioningWeight, "--conditioning-weight" } })
  {
    if (!(weight >= 0.0) || !std::isfinite(weight))
    {
      throw UserError(std::string(flag) + " must be a number >= 0");
    }
  }
  if (!(singleLevelTwins >= 0.0 && singleLevelTwins <= 1.0))
  {
    throw UserError("--single-level-twins must lie in [0, 1]");
  }
  for (const auto & [value, flag] : { std::pair{ attacks.probability, "--attack-probability" },
                                      std::pair{ attacks.maxConstantFraction, "--attack-max-constants" },
                                      std::pair{ attacks.maxRectangleFraction, "--attack-max-rectangle" } })
  {
    if (!(value >= 0.0 && value <= 1.0))
    {
      throw UserError(std::string(flag) + " must lie in [0, 1]");
    }
  }
  if (!(attacks.maxNoiseSigma >= 0.0) || !std::isfinite(attacks.maxNoiseSigma))
  {
    throw UserError("--attack-max-noise must be a finite number >= 0");
  }
  if (!(conditioningFloor > 0.0) || !std::isfinite(conditioningFloor))
  {
    throw UserError("--conditioning-floor must be a number > 0");
  }
  if (conditioningFitIterations < 0 || conditioningFitIterations > 100)
  {
    throw UserError("--conditioning-fit must lie in [0, 100]");
  }
  if (conditioningFitIterations > 0 && !(conditioningWeight > 0.0))
  {
    throw UserError("--conditioning-fit moves the estimate of the conditioning term: give "
                    "--conditioning-weight W > 0 with it");
  }
  if (decryptionOnly && conditioningWeight > 0.0)
  {
    throw UserError("--conditioning-weight trains the encoder; it needs --train all, not --train decryption");
  }
  if (decryptionOnly && pretrainSteps != 0)
  {
    throw UserError("--train decryption fine-tunes a trained network: give --pretrain-steps 0");
  }
  if (refinementTrainingSteps < 0 || refinementTrainingSteps > 10)
  {
    throw UserError("--refinement-training-steps must lie in [0, 10]");
  }
  if (refinementTrainingSteps > 0 && !decryptionOnly)
  {
    throw UserError("--refinement-training-steps trains the decoder alone: give --train decryption");
  }
  if (!(std::isfinite(refinedStructureWeight) && refinedStructureWeight >= 0.0))
  {
    throw UserError("--refined-ssim-weight must be a finite number >= 0");
  }
  if (refinedStructureWeight > 0.0 && refinementTrainingSteps == 0)
  {
    throw UserError("--refined-ssim-weight weighs a term of the refined decryption: give --refinement-training-steps");
  }
  if (refineAttackedWhereIntact && (refinementTrainingSteps == 0 || !attacks.permutedLayout || !decryptionOnly))
  {
    throw UserError("--refine-attacked trains format 4's refinement of attacked ciphertexts: give --train decryption, "
                    "--refinement-training-steps and --attack-permuted-cells");
  }
  if (checkpointEvery < 1 || progressEvery < 1)
  {
    throw UserError("--checkpoint-every and --progress-every must be at least 1");
  }
  if (!(augmentation.zoomProbability >= 0.0 && augmentation.zoomProbability <= 1.0))
  {
    throw UserError("--zoom-probability must lie in [0, 1]");
  }
  if (!(augmentation.minZoom > 0.0 && augmentation.minZoom <= augmentation.maxZoom && augmentation.maxZoom <= 8.0))
  {
    throw UserError("--min-zoom and --max-zoom must satisfy 0 < min <= max <= 8");
  }
  if (augmentation.minBits < 1 || augmentation.maxBits > 16 || augmentation.minBits > augmentation.maxBits)
  {
    throw UserError("the quantisation bit depths must satisfy 1 <= min <= max <= 16");
  }
}

struct Trainer::Impl
{
  ModelConfig config;
  TrainerOptions options;
  std::shared_ptr<TrainingImageSource> source;
  torch::Device device;
  CipherNet net{ nullptr };
  std::unique_ptr<torch::optim::AdamW> optimizer;
  int optimizerPhase = 1; // the phase the optimizer state belongs to
  std::int64_t step = 0;
  TrainingRandom random;
  losses::LossWeights weights;

  Impl(const ModelConfig & config_, const TrainerOptions & options_, std::shared_ptr<TrainingImageSource> source_)
    : config(config_)
    , options(options_)
    , source(std::move(source_))
    , device(ParseDevice(options_.device))
    , random(options_.seed)
  {
    config.Validate();
    options.Validate(config);
    if (!source || source->size() == 0)
    {
      throw UserError("no training images: give at least one readable image");
    }
    weights.diffusion = options.diffusionWeight;
    weights.reconstruction = options.reconstructionWeight;
    weights.structure = options.structureWeight;
    weights.twinCorrelation = options.twinCorrelationWeight;
    weights.batchHistogram = options.batchHistogramWeight;
    weights.diffusionOnRanks = options.diffusionOnRanks;
    weights.twinCorrelationOnRanks = options.twinCorrelationOnRanks;
    weights.correlationOnRanks = options.correlationOnRanks;
    torch::manual_seed(options.seed);
    net = CipherNet(config);
    if (!options.initialModelPath.empty())
    {
      LoadInitialWeights(options.initialModelPath);
    }
    if (options.decryptionOnly)
    {
      FreezeEncryption();
    }
    net->to(device);
    net->train();
    optimizerPhase = PhaseOf(0);
    MakeOptimizer();
  }

  /** Copies every weight of a model file of the same configuration (the alpha range aside) into the
   * network; from a model whose last decoder stage is narrower, by function-preserving widening. */
  void
  LoadInitialWeights(const std::string & path)
  {
    const LoadedModel model = LoadModelFile(path);
    const ModelConfig & storedConfig = model.net->config();
    if (WeightLayout(storedConfig) != WeightLayout(config))
    {
      ModelConfig widened = WeightLayout(storedConfig);
      widened.decoderHeadChannels = config.DecoderHeadChannels();
      if (widened != WeightLayout(config) || storedConfig.DecoderHeadChannels() > config.DecoderHeadChannels())
      {
        throw UserError(path + ": --init needs a model of the network being trained (or one whose last decoder stage " +
                        "is narrower); it holds preset '" + storedConfig.preset +
                        "' with another configuration than preset '" + config.preset + "'");
      }
      CopyWeightsWidening(net, model.net);
      return;
    }
    torch::NoGradGuard noGrad;
    const auto stored = model.net->named_parameters();
    for (auto & item : net->named_parameters())
    {
      item.value().copy_(stored[item.key()]);
    }
    const auto storedBuffers = model.net->named_buffers();
    for (auto & item : net->named_buffers())
    {
      item.value().copy_(storedBuffers[item.key()]);
    }
  }

  /** Decryption-only fine-tuning: every parameter that encryption uses stops learning. */
  void
  FreezeEncryption()
  {
    for (auto & parameter : net->parameters())
    {
      parameter.set_requires_grad(false);
    }
    for (auto & parameter : net->decryptionOnlyParameters())
    {
      parameter.set_requires_grad(true);
    }
  }

  std::vector<torch::Tensor>
  TrainedParameters() const
  {
    return options.decryptionOnly ? net->decryptionOnlyParameters() : net->parameters();
  }

  int
  PhaseOf(std::int64_t stepIndex) const
  {
    return stepIndex < options.pretrainSteps ? 1 : 2;
  }

  void
  MakeOptimizer()
  {
    optimizer = std::make_unique<torch::optim::AdamW>(
      TrainedParameters(), torch::optim::AdamWOptions(options.learningRate).weight_decay(options.weightDecay));
  }

  /** Paper: lr decays by 0.9 per epoch; counted from the start of the current phase. */
  double
  LearningRate() const
  {
    const std::int64_t phaseStep = PhaseOf(step) == 1 ? step : step - options.pretrainSteps;
    return options.learningRate * std::pow(options.decayPerEpoch, static_cast<double>(phaseStep / options.epochSteps));
  }

  /** lambda_e of Eq. 25 at the current step: options.wrongKeyWeight, ramped up linearly over the
   * first wrongKeyWarmupSteps steps of phase 2. */
  double
  WrongKeyWeight() const
  {
    const std::int64_t phaseStep = step - options.pretrainSteps;
    if (options.wrongKeyWarmupSteps <= 0 || phaseStep >= options.wrongKeyWarmupSteps)
    {
      return options.wrongKeyWeight;
    }
    return options.wrongKeyWeight * static_cast<double>(phaseStep + 1) /
           static_cast<double>(options.wrongKeyWarmupSteps);
  }

  std::vector<torch::Tensor>
  ToDevice(const std::vector<torch::Tensor> & tensors) const
  {
    std::vector<torch::Tensor> moved;
    for (const auto & tensor : tensors)
    {
      moved.push_back(tensor.to(device));
    }
    return moved;
  }

  /** Phase 1: the network without key fusion as an autoencoder, L1 content loss. (The paper's
   * SRGAN-style perceptual and adversarial terms need a pretrained VGG, which is not available
   * offline; they are left out.) */
  std::vector<std::pair<std::string, double>>
  PretrainStep(torch::Tensor & total)
  {
    const torch::Tensor plain =
      SampleBatch(*source, options.batchSize, options.cropSize, options.augmentation, random).to(device);
    net->setFusionEnabled(false);
    const EncryptResult encrypted = net->encrypt(plain, {});
    const torch::Tensor decrypted = net->decryptWithParameters(encrypted.cipher, encrypted.alphas, {});
    total = (decrypted - plain).abs().mean();
    return { { "content", total.item<double>() } };
  }

  /** Phase 2: Eq. 24 + Eq. 25 on a batch, its changed-pixel twins and the wrong-key matrix. */
  std::vector<std::pair<std::string, double>>
  EncryptionStep(torch::Tensor & total)
  {
    const int batch = options.batchSize;
    const int crop = options.cropSize;
    const torch::Tensor plainCpu = SampleBatch(*source, batch, crop, options.augmentation, random);
    const auto keysCpu = RandomFeatureKeys(config, batch, crop, random);
    const auto keys = ToDevice(keysCpu);
    // A twin differs in one pixel, so its digest and hence its feature keys are new; or (a share
    // options.singleLevelTwins of them) it keeps the plaintext and one level's key alone is new.
    const TwinBatch twins = MakeTwins(plainCpu, keysCpu, config, options.singleLevelTwins, random);
    const torch::Tensor plain = plainCpu.to(device);

    net->setFusionEnabled(true);
    const EncryptResult encrypted = net->encrypt(plain, keys);
    const EncryptResult encryptedTwin = net->encrypt(twins.images.to(device), ToDevice(twins.keys));
    const auto encryption = losses::EncryptionLoss(
      encrypted.cipher, encryptedTwin.cipher, encrypted.alphas, encrypted.encryptedParameters, weights);
    const auto decryption = DecryptionTerms(plain, keys, encrypted);
    total = encryption.total + decryption.total;
    double contraction = 0.0;
    if (options.conditioningWeight > 0.0)
    {
      const torch::Tensor term = ConditioningTerm(plain, keys, encrypted);
      total = total + options.conditioningWeight * term;
      contraction = term.item<double>();
    }
    return { { "stats", encryption.stats.item<double>() },
             { "correlation", encryption.correlation.item<double>() },
             { "diffusion", encryption.diffusion.item<double>() },
             { "dissimilarity", encryption.dissimilarity.item<double>() },
             { "twin_corr", encryption.twinCorrelation.item<double>() },
             { "batch_hist", encryption.batchHistogram.item<double>() },
             { "wrong_key", decryption.wrongKey.item<double>() },
             { "similarity", decryption.similarity.item<double>() },
             { "l1", decryption.reconstruction.item<double>() },
             { "dssim", decryption.structure.item<double>() },
             { "contraction", contraction },
             { "total", total.item<double>() } };
  }

  /** losses::ContractionLoss along the decoder's error: x' = D(C) of the intact ciphertext, fitted to C by
   * options.conditioningFitIterations of FitEncryption, taken without gradients, encrypted again under the
   * same keys with gradients, against C. */
  torch::Tensor
  ConditioningTerm(const torch::Tensor & plain,
                   const std::vector<torch::Tensor> & keys,
                   const EncryptResult & encrypted)
  {
    torch::Tensor decoded;
    {
      torch::NoGradGuard noGradients;
      decoded = net->decryptWithParameters(encrypted.cipher, encrypted.alphas, keys);
    }
    if (options.conditioningFitIterations > 0)
    {
      decoded = FitEncryption(*net, encrypted.cipher, keys, decoded, options.conditioningFitIterations).first;
    }
    const torch::Tensor reencrypted = net->encrypt(decoded, keys).cipher;
    return losses::ContractionLoss(reencrypted, encrypted.cipher, decoded, plain, options.conditioningFloor);
  }

  /** Phase 2 with encryption frozen (options.decryptionOnly): Eq. 25 alone; encryption runs without
   * gradients, so a step costs about half an encryption step. */
  std::vector<std::pair<std::string, double>>
  DecryptionOnlyStep(torch::Tensor & total)
  {
    const torch::Tensor plain =
      SampleBatch(*source, options.batchSize, options.cropSize, options.augmentation, random).to(device);
    const auto keys = ToDevice(RandomFeatureKeys(config, options.batchSize, options.cropSize, random));
    net->setFusionEnabled(true);
    EncryptResult encrypted;
    {
      torch::NoGradGuard noGrad;
      encrypted = net->encrypt(plain, keys);
    }
    RightKeyDecryption right;
    const auto decryption = DecryptionTerms(plain, keys, encrypted, &right);
    total = decryption.total;
    std::vector<std::pair<std::string, double>> report{ { "wrong_key", decryption.wrongKey.item<double>() },
                                                        { "l1", decryption.reconstruction.item<double>() },
                                                        { "dssim", decryption.structure.item<double>() } };
    if (options.refinementTrainingSteps > 0)
    {
      const RefinedDecryption refined = RefineIntactDecryptions(plain, keys, encrypted.cipher, right);
      const torch::Tensor refinedError = refined.estimate.defined() ? (refined.estimate - refined.plain).abs().mean()
                                                                    : torch::zeros({}, plain.options());
      total = total + refinedError;
      report.emplace_back("l1_refined", refinedError.item<double>());
      if (options.refineAttackedWhereIntact)
      {
        const RefinedDecryption attacked = RefineAttackedDecryptions(plain, keys, right);
        const torch::Tensor attackedError = attacked.estimate.defined()
                                              ? (attacked.estimate - attacked.plain).abs().mean()
                                              : torch::zeros({}, plain.options());
        total = total + attackedError;
        report.emplace_back("l1_attacked_refined", attackedError.item<double>());
      }
      if (options.refinedStructureWeight > 0.0)
      {
        const torch::Tensor structureError =
          refined.estimate.defined() ? 1.0 - losses::StructuralSimilarity(refined.estimate, refined.plain).mean()
                                     : torch::zeros({}, plain.options());
        total = total + options.refinedStructureWeight * structureError;
        report.emplace_back("dssim_refined", structureError.item<double>());
      }
    }
    report.emplace_back("total", total.item<double>());
    return report;
  }

  /** What DecryptionTerms decrypted with the right keys. */
  struct RightKeyDecryption
  {
    torch::Tensor damaged, decrypted;
    std::vector<torch::Tensor> recovered;
    torch::Tensor authentic; // SimulatedAttacks::authentic
  };

  /** The intact ciphertexts' decryption refined by options.refinementTrainingSteps defect-correction
   * steps, and their plaintexts; both undefined when every ciphertext of the batch was attacked. */
  struct RefinedDecryption
  {
    torch::Tensor estimate, plain;
  };

  /** The feature keys and recovered alphas of the batch's images `indices`, level by level. */
  static std::pair<std::vector<torch::Tensor>, std::vector<torch::Tensor>>
  SelectImages(const std::vector<torch::Tensor> & keys,
               const std::vector<torch::Tensor> & alphas,
               const torch::Tensor & indices)
  {
    std::vector<torch::Tensor> selectedKeys;
    std::vector<torch::Tensor> selectedAlphas;
    for (std::size_t level = 0; level < keys.size(); ++level)
    {
      selectedKeys.push_back(keys[level].index_select(0, indices));
      selectedAlphas.push_back(alphas[level].index_select(0, indices));
    }
    return { selectedKeys, selectedAlphas };
  }

  /** Refines the decryption of the ciphertexts that the attack simulation left intact (medcrypt decrypt
   * refines only those) with gradients, as DefectCorrectionStep gives them. */
  RefinedDecryption
  RefineIntactDecryptions(const torch::Tensor & plain,
                          const std::vector<torch::Tensor> & keys,
                          const torch::Tensor & cipher,
                          const RightKeyDecryption & right)
  {
    const torch::Tensor intact = (right.damaged == cipher).flatten(1).all(1).nonzero().flatten();
    if (intact.numel() == 0)
    {
      return {};
    }
    const auto [intactKeys, intactAlphas] = SelectImages(keys, right.recovered, intact);
    const torch::Tensor decoded = right.decrypted.index_select(0, intact);
    torch::Tensor estimate = decoded;
    for (int step = 0; step < options.refinementTrainingSteps; ++step)
    {
      estimate = DefectCorrectionStep(*net, estimate, decoded, intactAlphas, intactKeys);
    }
    return { estimate, plain.index_select(0, intact) };
  }

  /** Refines, as format 4's decryption does, the decryption of the attacked ciphertexts that keep some
   * intact pool (RefineDecryptionWhereAuthentic's first estimate and steps, with gradients); both undefined
   * when there is none. */
  RefinedDecryption
  RefineAttackedDecryptions(const torch::Tensor & plain,
                            const std::vector<torch::Tensor> & keys,
                            const RightKeyDecryption & right)
  {
    const torch::Tensor known = right.authentic;
    const torch::Tensor minimum = known.flatten(1).amin(1);
    const torch::Tensor maximum = known.flatten(1).amax(1);
    const torch::Tensor partly = ((minimum < 1) & (maximum > 0)).nonzero().flatten();
    if (partly.numel() == 0)
    {
      return {};
    }
    const auto [partKeys, partAlphas] = SelectImages(keys, right.recovered, partly);
    const torch::Tensor mask = known.index_select(0, partly);
    const torch::Tensor knownCipher = mask * right.damaged.index_select(0, partly);
    torch::Tensor estimate =
      0.5 * (right.decrypted.index_select(0, partly) + net->decryptWithParameters(knownCipher, partAlphas, partKeys));
    for (int step = 0; step < options.refinementTrainingSteps; ++step)
    {
      estimate = AuthenticDefectCorrectionStep(*net, estimate, knownCipher, mask, partAlphas, partKeys);
    }
    return { estimate, plain.index_select(0, partly) };
  }

  /** Eq. 25 for an encrypted batch: the (possibly damaged) ciphertexts decrypted with the right keys,
   * and the wrong-key matrix. `right`, when given, receives the right-key decryption. */
  losses::DecryptionLossTerms
  DecryptionTerms(const torch::Tensor & plain,
                  const std::vector<torch::Tensor> & keys,
                  const EncryptResult & encrypted,
                  RightKeyDecryption * right = nullptr)
  {
    const int crop = options.cropSize;
    const SimulatedAttacks attacked =
      SimulateAttacksWithAuthenticPools(encrypted.cipher, options.attacks, random.Generator());
    const torch::Tensor & damaged = attacked.damaged;
    const auto recovered = net->recoverAlphas(encrypted.encryptedParameters, keys);
    const torch::Tensor decrypted = net->decryptWithParameters(damaged, recovered, keys);
    if (right)
    {
      *right = { damaged, decrypted, recovered, attacked.authentic };
    }

    torch::Tensor wrongKey;
    const int m = options.wrongKeyImages;
    if (m >= 2)
    {
      // Image i decrypted with the key of image j for i != j (Eq. 23); the diagonal, excluded by the
      // loss, holds the right-key decryption.
      std::vector<int64_t> images;
      std::vector<int64_t> keyOwners;
      for (int i = 0; i < m; ++i)
      {
        for (int j = 0; j < m; ++j)
        {
          if (i != j)
          {
            images.push_back(i);
            keyOwners.push_back(j);
          }
        }
      }
      const torch::Tensor imageIndex = torch::tensor(images, torch::kLong).to(device);
      const torch::Tensor keyIndex = torch::tensor(keyOwners, torch::kLong).to(device);
      std::vector<torch::Tensor> wrongKeys;
      std::vector<torch::Tensor> parameters;
      for (std::size_t level = 0; level < keys.size(); ++level)
      {
        wrongKeys.push_back(keys[level].index_select(0, keyIndex));
        parameters.push_back(encrypted.encryptedParameters[level].index_select(0, imageIndex));
      }
      const torch::Tensor wrong = net->decrypt(encrypted.cipher.index_select(0, imageIndex), parameters, wrongKeys);
      std::vector<torch::Tensor> matrix;
      std::size_t k = 0;
      for (int i = 0; i < m; ++i)
      {
        for (int j = 0; j < m; ++j)
        {
          matrix.push_back(i == j ? decrypted[i].detach() : wrong[static_cast<int64_t>(k++)]);
        }
      }
      const torch::Tensor decryptedMatrix = torch::stack(matrix).view({ m, m, 1, crop, crop });
      const torch::Tensor noise = torch::rand({ m, m, 1, crop, crop }, random.Generator()).to(device);
      wrongKey = losses::WrongKeyLoss(decryptedMatrix, plain.narrow(0, 0, m), noise, weights);
    }
    losses::LossWeights stepWeights = weights;
    stepWeights.wrongKey = WrongKeyWeight();
    return losses::DecryptionLoss(wrongKey, encrypted.alphas, recovered, decrypted, plain, stepWeights);
  }
};

Trainer::Trainer(const ModelConfig & config,
                 const TrainerOptions & options,
                 std::shared_ptr<TrainingImageSource> source)
  : m_Impl(std::make_unique<Impl>(config, options, std::move(source)))
{
}

Trainer::~Trainer() = default;

TrainingStepReport
Trainer::Step()
{
  Impl & impl = *m_Impl;
  const auto start = std::chrono::steady_clock::now();
  const int phase = impl.PhaseOf(impl.step);
  if (phase != impl.optimizerPhase)
  {
    // The encryption phase starts from the pre-trained weights with a fresh optimizer.
    impl.MakeOptimizer();
    impl.optimizerPhase = phase;
  }
  const double learningRate = impl.LearningRate();
  for (auto & group : impl.optimizer->param_groups())
  {
    static_cast<torch::optim::AdamWOptions &>(group.options()).lr(learningRate);
  }
  impl.net->train();
  torch::Tensor total;
  TrainingStepReport report;
  if (phase == 1)
  {
    report.losses = impl.PretrainStep(total);
  }
  else
  {
    report.losses = impl.options.decryptionOnly ? impl.DecryptionOnlyStep(total) : impl.EncryptionStep(total);
  }
  report.decryptionOnly = phase == 2 && impl.options.decryptionOnly;
  if (!std::isfinite(total.item<double>()))
  {
    throw std::runtime_error("training diverged at step " + std::to_string(impl.step + 1) +
                             " (the loss is not finite); lower --lr or resume from an earlier checkpoint");
  }
  impl.optimizer->zero_grad();
  total.backward();
  impl.optimizer->step();
  ++impl.step;
  report.step = impl.step;
  report.phase = phase;
  report.learningRate = learningRate;
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

void
Trainer::Run(std::ostream & progress)
{
  Impl & impl = *m_Impl;
  double windowSeconds = 0;
  int windowSteps = 0;
  while (impl.step < impl.options.totalSteps)
  {
    const TrainingStepReport report = Step();
    windowSeconds += report.seconds;
    ++windowSteps;
    if (report.step % impl.options.progressEvery == 0 || report.step == impl.options.totalSteps)
    {
      const double imagesPerSecond = windowSeconds > 0 ? windowSteps * impl.options.batchSize / windowSeconds : 0;
      progress << FormatProgress(report, impl.options.totalSteps, imagesPerSecond) << std::endl;
      windowSeconds = 0;
      windowSteps = 0;
    }
    if (report.step % impl.options.checkpointEvery != 0 && report.step != impl.options.totalSteps)
    {
      continue;
    }
    if (!impl.options.checkpointPath.empty())
    {
      SaveCheckpoint(impl.options.checkpointPath);
    }
    if (!impl.options.snapshotDirectory.empty())
    {
      SaveModel(SnapshotPath(impl.options.snapshotDirectory, report.step), false);
    }
  }
}

std::string
Trainer::SnapshotPath(const std::string & snapshotDirectory, std::int64_t step)
{
  char name[32];
  std::snprintf(name, sizeof(name), "step-%07lld.mcmodel", static_cast<long long>(step));
  return (std::filesystem::path(snapshotDirectory) / name).string();
}

void
Trainer::SaveCheckpoint(const std::string & path) const
{
  const Impl & impl = *m_Impl;
  torch::serialize::OutputArchive archive;
  archive.write("format", c10::IValue(std::string(CheckpointFormat)));
  archive.write("version", c10::IValue(CheckpointVersion));
  archive.write("config", c10::IValue(ModelConfigToJson(impl.config)));
  archive.write("step", c10::IValue(static_cast<int64_t>(impl.step)));
  archive.write("optimizer_phase", c10::IValue(static_cast<int64_t>(impl.optimizerPhase)));
  archive.write("seed", c10::IValue(static_cast<int64_t>(impl.options.seed)));
  archive.write("decryption_only", c10::IValue(static_cast<int64_t>(impl.options.decryptionOnly ? 1 : 0)));
  archive.write("rng_engine", c10::IValue(impl.random.EngineState()));
  archive.write("rng_generator", impl.random.GeneratorState());
  torch::serialize::OutputArchive weights;
  impl.net->save(weights);
  archive.write("weights", weights);
  torch::serialize::OutputArchive optimizer;
  impl.optimizer->save(optimizer);
  archive.write("optimizer", optimizer);

  const std::string temporary = path + ".tmp-" + std::to_string(::getpid());
  try
  {
    archive.save_to(temporary);
  }
  catch (const std::exception & error)
  {
    std::remove(temporary.c_str());
    const std::string reason = error.what();
    throw UserError(path + ": cannot write the checkpoint (" + reason.substr(0, reason.find('\n')) +
                    "); is the directory writable and is there space?");
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0)
  {
    std::remove(temporary.c_str());
    throw UserError(path + ": cannot rename the temporary checkpoint into place");
  }
}

void
Trainer::LoadCheckpoint(const std::string & path)
{
  Impl & impl = *m_Impl;
  torch::serialize::InputArchive archive;
  try
  {
    archive.load_from(path, impl.device);
  }
  catch (const std::exception & error)
  {
    std::string reason = error.what();
    throw UserError(path + ": cannot read the checkpoint (" + reason.substr(0, reason.find('\n')) +
                    "); is it complete?");
  }
  if (ReadCheckpointString(archive, "format", path) != CheckpointFormat ||
      ReadCheckpointInt(archive, "version", path) != CheckpointVersion)
  {
    throw UserError(path + ": not a MedCrypt training checkpoint of a version this build reads");
  }
  const ModelConfig stored = ModelConfigFromJson(ReadCheckpointString(archive, "config", path), path);
  if (WithoutFusionState(stored) != WithoutFusionState(impl.config))
  {
    throw UserError(path + ": the checkpoint belongs to another network configuration (preset '" + stored.preset +
                    "'); resume with the same --preset and --decoder-head-channels");
  }
  const int64_t step = ReadCheckpointInt(archive, "step", path);
  const int64_t phase = ReadCheckpointInt(archive, "optimizer_phase", path);
  if (step < 0 || (phase != 1 && phase != 2))
  {
    throw UserError(path + ": the checkpoint's step or phase is invalid");
  }
  // A run begun with --init has no pre-training; resumed without --init, the default --pretrain-steps
  // (a fifth of --steps) would silently send its trained network back to the autoencoder phase.
  if (phase == 2 && step < impl.options.pretrainSteps)
  {
    throw UserError(path + ": the checkpoint is past pre-training (step " + std::to_string(step) +
                    ", phase 2), but --pretrain-steps " + std::to_string(impl.options.pretrainSteps) +
                    " would train it as an autoencoder again; resume with --pretrain-steps " + std::to_string(step) +
                    " or less (0 for a run begun with --init)");
  }
  if (ReadCheckpointInt(archive, "seed", path) != static_cast<int64_t>(impl.options.seed))
  {
    throw UserError(path + ": the checkpoint was made with --seed " +
                    std::to_string(ReadCheckpointInt(archive, "seed", path)) + "; resume with the same seed");
  }
  // Checkpoints from before decryption-only training existed lack the entry: they trained everything.
  c10::IValue decryptionOnly;
  const bool storedDecryptionOnly =
    archive.try_read("decryption_only", decryptionOnly) && decryptionOnly.isInt() && decryptionOnly.toInt() != 0;
  if (storedDecryptionOnly != impl.options.decryptionOnly)
  {
    throw UserError(path + ": the checkpoint was made with --train " + (storedDecryptionOnly ? "decryption" : "all") +
                    "; resume with the same --train");
  }
  torch::serialize::InputArchive weights;
  torch::serialize::InputArchive optimizer;
  torch::Tensor generatorState;
  if (!archive.try_read("weights", weights) || !archive.try_read("optimizer", optimizer) ||
      !archive.try_read("rng_generator", generatorState))
  {
    throw UserError(path + ": the checkpoint lacks weights, optimizer or random state");
  }
  try
  {
    LoadNetworkWeights(impl.net, weights);
    ValidateOutputCalibration(impl.net->outputCalibration(), path);
    impl.step = step;
    impl.optimizerPhase = static_cast<int>(phase);
    impl.MakeOptimizer();
    impl.optimizer->load(optimizer);
    impl.random.Restore(ReadCheckpointString(archive, "rng_engine", path), generatorState.to(torch::kCPU));
  }
  catch (const c10::Error & error)
  {
    std::string reason = error.what();
    throw UserError(path + ": the checkpoint does not fit this network (" + reason.substr(0, reason.find('\n')) + ")");
  }
  impl.net->setFusionEnabled(impl.PhaseOf(impl.step) == 2);
}

std::string
Trainer::SaveModel(const std::string & path, bool half) const
{
  Impl & impl = *m_Impl;
  // A model is saved as it will be used: with fusion on once encryption training has begun.
  impl.net->setFusionEnabled(impl.step > impl.options.pretrainSteps || impl.options.pretrainSteps == 0);
  return SaveModelFile(impl.net, path, half);
}

std::int64_t
Trainer::CurrentStep() const
{
  return m_Impl->step;
}

CipherNet
Trainer::Network() const
{
  return m_Impl->net;
}

std::string
Trainer::FormatProgress(const TrainingStepReport & report, std::int64_t totalSteps, double imagesPerSecond)
{
  char text[64];
  std::string line = "step " + std::to_string(report.step) + "/" + std::to_string(totalSteps) + " | phase " +
                     std::to_string(report.phase) +
                     (report.phase == 1       ? " pretrain"
                      : report.decryptionOnly ? " decryption only"
                                              : " encryption") +
                     " |";
  for (const auto & [name, value] : report.losses)
  {
    std::snprintf(text, sizeof(text), " %s %.4f", name.c_str(), value);
    line += text;
  }
  std::snprintf(text, sizeof(text), " | lr %.2e | %.1f images/s", report.learningRate, imagesPerSecond);
  return line + text;
}

} // namespace medcrypt

// medcrypt train: train a cipher network on image directories (paper III.C).
#include "Commands.h"
#include "ImageDirectorySource.h"

#include "medcrypt/CipherHeader.h"
#include "medcrypt/CiphertextLayout.h"
#include "medcrypt/Error.h"
#include "medcrypt/ModelSummary.h"
#include "medcrypt/Trainer.h"

#include <ATen/Parallel.h>

#include <filesystem>
#include <iostream>

namespace medcrypt::cli
{

int
RunTrain(const Arguments & arguments)
{
  CommandSpec spec;
  spec.name = "train";
  spec.synopsis =
    "medcrypt train --preset NAME --data DIR [--data DIR2 ...] [--steps N] [--pretrain-steps N] [--crop N]\n"
    "       [--batch N] [--lr X] [--seed S] [--checkpoint FILE] [--checkpoint-every N] [--resume]\n"
    "       [--snapshot-dir DIR] [--init MODEL] [--train all|decryption]\n"
    "       [--zoom-probability P --min-zoom S --max-zoom S] [--out MODEL] [--half] [--threads N] [--device cpu|cuda]";
  spec.summary =
    "Trains a cipher network on random crops of the images under DIR (DICOM, PNG, MHA, NRRD, NIfTI; 3-D\n"
    "volumes give their slices). Phase 1 (the first --pretrain-steps steps) trains the network as an\n"
    "autoencoder without key fusion (L1 content loss); phase 2 trains encryption and decryption with the\n"
    "paper's losses (Eq. 24 and 25), changed-pixel twins, the wrong-key matrix and simulated attacks.\n"
    "Each image gets random feature keys (random x0, mu 3.99, burn-in 1000). A checkpoint is written\n"
    "every --checkpoint-every steps; --resume continues from it with the same --seed; --snapshot-dir DIR\n"
    "also keeps the model of each of those steps (DIR/step-NNNNNNN.mcmodel) for 'medcrypt average'.\n"
    "The final model is written to --out. --init MODEL starts from a model file's weights (fine-tuning); with\n"
    "--train decryption only the decryption network learns, so the starting\n"
    "model's ciphertexts, and all their statistics, stay exactly as they are.";
  spec.options.add_options()("preset",
                             po::value<std::string>()->required()->value_name("NAME"),
                             "network preset: paper, default or tiny (see 'medcrypt model')")(
    "data",
    po::value<std::vector<std::string>>()->required()->value_name("DIR"),
    "directory searched recursively for images (repeatable)")(
    "all-axes", po::bool_switch(), "also slice 3-D volumes along their first two axes")(
    "steps", po::value<std::int64_t>()->default_value(20000), "training steps in all (both phases)")(
    "pretrain-steps",
    po::value<std::int64_t>()->value_name("N"),
    "phase-1 steps (default: a fifth of --steps; 0 with --init or --train decryption)")(
    "crop", po::value<int>()->default_value(64), "edge of the random square crops")(
    "batch", po::value<int>()->default_value(4), "images per step")(
    "lr", po::value<double>()->default_value(1e-4), "AdamW learning rate")(
    "epoch-steps",
    po::value<std::int64_t>()->default_value(2000),
    "steps per epoch: the learning rate decays by 0.9 per epoch")(
    "wrong-keys", po::value<int>()->default_value(2), "images m = keys n of the wrong-key matrix (0: off)")(
    "wrong-key-weight",
    po::value<double>()->default_value(TrainerOptions{}.wrongKeyWeight),
    "lambda_e, the weight of the wrong-key loss (Eq. 25)")(
    "wrong-key-warmup",
    po::value<std::int64_t>()->default_value(TrainerOptions{}.wrongKeyWarmupSteps),
    "phase-2 steps over which lambda_e ramps up from 0")(
    "diffusion-weight",
    po::value<double>()->default_value(TrainerOptions{}.diffusionWeight),
    "lambda_d, the weight of the NPCR/UACI loss (Eq. 24)")(
    "reconstruction-weight",
    po::value<double>()->default_value(TrainerOptions{}.reconstructionWeight)->value_name("W"),
    "lambda_l1, the weight of the right-key decryption's L1 error (Eq. 25)")(
    "ssim-weight",
    po::value<double>()->default_value(TrainerOptions{}.structureWeight)->value_name("W"),
    "weight of 1 - SSIM of the right-key decryption, beside its L1 error (not in the paper; 0: off)")(
    "conditioning-weight",
    po::value<double>()->default_value(TrainerOptions{}.conditioningWeight)->value_name("W"),
    "weight of the conditioning term: the encoder's gain along the decoder's error, rms(E(D(C)) - C) / "
    "rms(D(C) - x), held above --conditioning-floor (not in the paper; joint runs; 0: off)")(
    "conditioning-floor",
    po::value<double>()->default_value(TrainerOptions{}.conditioningFloor, "0.1")->value_name("G"),
    "the gain below which the conditioning term acts")(
    "conditioning-fit",
    po::value<int>()->default_value(TrainerOptions{}.conditioningFitIterations)->value_name("K"),
    "measure the conditioning term's gain along the error of a K-iteration L-BFGS fit of E(x') = C from "
    "D(C) instead of the decoder's first error (0-100; each iteration costs an encryption and its gradient)")(
    "twin-correlation-weight",
    po::value<double>()->default_value(TrainerOptions{}.twinCorrelationWeight)->value_name("W"),
    "weight of |corr(C, C')| between an image's ciphertext and its twin's (not in the paper; 0: off)")(
    "batch-histogram-weight",
    po::value<double>()->default_value(TrainerOptions{}.batchHistogramWeight)->value_name("W"),
    "weight of the histogram loss over the whole batch's ciphertexts, which sees a histogram shape that every "
    "image shares (not in the paper; 0: off)")(
    "diffusion-on-ranks",
    po::bool_switch(),
    "take the NPCR/UACI loss on the ranks of the batch's ciphertexts, so that a histogram shape every image shares "
    "cannot raise UACI (not in the paper)")(
    "twin-correlation-on-ranks",
    po::bool_switch(),
    "take the twin-correlation loss on the same ranks (a Spearman correlation), which a shared histogram shape "
    "cannot lower (not in the paper)")(
    "correlation-on-ranks",
    po::bool_switch(),
    "take the adjacent-pixel correlation and 2-D histogram losses on the same ranks (not in the paper)")(
    "alpha-max",
    po::value<double>()->value_name("A"),
    "ceiling of the fusion weights alpha_i (default: the preset's); below 1 every level's key weighs at least 1 - A")(
    "decoder-head-channels",
    po::value<int>()->value_name("N"),
    "channels of the last decoder stage, at full resolution (default: the preset's head channels); with --init "
    "from a narrower model it starts from that model's decryption")(
    "single-level-twins",
    po::value<double>()->default_value(TrainerOptions{}.singleLevelTwins)->value_name("P"),
    "share of diffusion twins that change one level's feature key alone (key sensitivity)")(
    "attack-probability",
    po::value<double>()->default_value(AttackSimulationOptions{}.probability),
    "chance that a ciphertext is damaged before decryption")(
    "attack-max-constants",
    po::value<double>()->default_value(AttackSimulationOptions{}.maxConstantFraction)->value_name("F"),
    "largest share of pixels set to 0 or 1 by a salt-and-pepper attack (0: none)")(
    "attack-max-rectangle",
    po::value<double>()->default_value(AttackSimulationOptions{}.maxRectangleFraction)->value_name("F"),
    "largest edge of a black or white rectangle, as a share of the crop edge (0: none)")(
    "attack-max-noise",
    po::value<double>()->default_value(AttackSimulationOptions{}.maxNoiseSigma)->value_name("S"),
    "largest standard deviation of the Gaussian noise, on the [0, 1] range (0: none)")(
    "attack-permuted-cells",
    po::bool_switch(),
    "damage the ciphertext as the cipher format of --attack-format-version stores it (8 x 8 cells shuffled, "
    "then the pixels inside each 16 x 16 block in version 3, inside each cell in version 2), so a rectangle "
    "erases scattered cells; --crop must be a multiple of 16 (version 3) or 8 (version 2)")(
    "attack-format-version",
    po::value<std::uint32_t>()->default_value(CipherHeaderVersion)->value_name("V"),
    "the cipher format version (2 or 3) whose stored layout --attack-permuted-cells damages")(
    "zoom-probability",
    po::value<double>()->default_value(AugmentationOptions{}.zoomProbability)->value_name("P"),
    "chance that a crop is resampled by a zoom factor (0: none), as evaluate resamples images to a tile")(
    "min-zoom",
    po::value<double>()->default_value(AugmentationOptions{}.minZoom)->value_name("S"),
    "smallest zoom factor, output pixels per input pixel (below 1: more detail per pixel)")(
    "max-zoom",
    po::value<double>()->default_value(AugmentationOptions{}.maxZoom)->value_name("S"),
    "largest zoom factor (factors are log-uniform between the two)")(
    "init", po::value<std::string>()->value_name("MODEL"), "start from this model file's weights")(
    "train",
    po::value<std::string>()->default_value("all")->value_name("all|decryption"),
    "what phase 2 trains: every parameter, or decryption alone (encryption frozen)")(
    "refinement-training-steps",
    po::value<int>()->default_value(TrainerOptions{}.refinementTrainingSteps)->value_name("K"),
    "with --train decryption: add the L1 error of the decryption refined by K defect-correction steps (as "
    "decrypt refines intact ciphertexts) for the ciphertexts left intact by the attacks (0: Eq. 25 alone)")(
    "refine-attacked",
    po::bool_switch(),
    "with --refinement-training-steps and --attack-permuted-cells: add the L1 error of the attacked ciphertexts' "
    "decryption refined where their pools are intact, as cipher format 4 decrypts them")(
    "refined-ssim-weight",
    po::value<double>()->default_value(TrainerOptions{}.refinedStructureWeight)->value_name("W"),
    "with --refinement-training-steps: add W (1 - SSIM) of that refined decryption (0: none)")(
    "seed", po::value<std::uint64_t>()->default_value(1), "random seed (weights, data, keys, attacks)")(
    "checkpoint", po::value<std::string>()->value_name("FILE"), "checkpoint file (default: MODEL.checkpoint)")(
    "checkpoint-every", po::value<std::int64_t>()->default_value(500), "steps between checkpoints")(
    "snapshot-dir",
    po::value<std::string>()->value_name("DIR"),
    "also write the model at every checkpoint step to DIR/step-NNNNNNN.mcmodel (DIR must exist)")(
    "resume", po::bool_switch(), "continue from the checkpoint")(
    "progress-every", po::value<std::int64_t>()->default_value(50), "steps between progress lines")(
    "out", po::value<std::string>()->value_name("MODEL"), "model file to write (default: medcrypt-PRESET.pt)")(
    "half", po::bool_switch(), "store the model's weights as float16")(
    "threads", po::value<int>()->default_value(0), "CPU threads for LibTorch (0: its default)")(
    "device", po::value<std::string>()->default_value("cpu"), "cpu or cuda[:N]");
  const auto values = Parse(spec, arguments);

  SetTorchThreads(values["threads"].as<int>());

  ModelConfig config = ModelConfigPreset(values["preset"].as<std::string>());
  if (values.count("alpha-max"))
  {
    config.alphaMax = values["alpha-max"].as<double>();
    config.Validate("--alpha-max");
  }
  if (values.count("decoder-head-channels"))
  {
    config.decoderHeadChannels = values["decoder-head-channels"].as<int>();
    if (config.decoderHeadChannels < 1)
    {
      throw UserError("--decoder-head-channels must be at least 1");
    }
  }
  TrainerOptions options;
  options.cropSize = values["crop"].as<int>();
  options.batchSize = values["batch"].as<int>();
  options.learningRate = values["lr"].as<double>();
  options.epochSteps = values["epoch-steps"].as<std::int64_t>();
  options.totalSteps = values["steps"].as<std::int64_t>();
  // A network started from a model file, or fine-tuned for decryption (which never pre-trains), is
  // trained already: no pre-training unless asked for.
  const bool startsTrained = values.count("init") || values["train"].as<std::string>() == "decryption";
  options.pretrainSteps = values.count("pretrain-steps") ? values["pretrain-steps"].as<std::int64_t>()
                          : startsTrained                ? 0
                                                         : options.totalSteps / 5;
  options.wrongKeyImages = values["wrong-keys"].as<int>();
  options.wrongKeyWeight = values["wrong-key-weight"].as<double>();
  options.wrongKeyWarmupSteps = values["wrong-key-warmup"].as<std::int64_t>();
  options.diffusionWeight = values["diffusion-weight"].as<double>();
  options.reconstructionWeight = values["reconstruction-weight"].as<double>();
  options.structureWeight = values["ssim-weight"].as<double>();
  options.singleLevelTwins = values["single-level-twins"].as<double>();
  options.twinCorrelationWeight = values["twin-correlation-weight"].as<double>();
  options.conditioningWeight = values["conditioning-weight"].as<double>();
  options.conditioningFloor = values["conditioning-floor"].as<double>();
  options.conditioningFitIterations = values["conditioning-fit"].as<int>();
  options.batchHistogramWeight = values["batch-histogram-weight"].as<double>();
  options.diffusionOnRanks = values["diffusion-on-ranks"].as<bool>();
  options.twinCorrelationOnRanks = values["twin-correlation-on-ranks"].as<bool>();
  options.correlationOnRanks = values["correlation-on-ranks"].as<bool>();
  options.attacks.probability = values["attack-probability"].as<double>();
  options.attacks.maxConstantFraction = values["attack-max-constants"].as<double>();
  options.attacks.maxRectangleFraction = values["attack-max-rectangle"].as<double>();
  options.attacks.maxNoiseSigma = values["attack-max-noise"].as<double>();
  if (values["attack-permuted-cells"].as<bool>())
  {
    const std::uint32_t version = values["attack-format-version"].as<std::uint32_t>();
    if (!StoresPermutedTiles(version) || version > CipherHeaderVersion)
    {
      throw UserError("--attack-format-version must be 2 to " + std::to_string(CipherHeaderVersion) +
                      " (a format that permutes the ciphertext)");
    }
    options.attacks.permutedLayout = CiphertextLayoutOf(version);
    if (options.cropSize % static_cast<int>(options.attacks.permutedLayout->poolEdge) != 0)
    {
      throw UserError("--attack-permuted-cells in format version " + std::to_string(version) +
                      " needs a --crop that is a multiple of " +
                      std::to_string(options.attacks.permutedLayout->poolEdge) + " (got " +
                      std::to_string(options.cropSize) + ")");
    }
  }
  options.augmentation.zoomProbability = values["zoom-probability"].as<double>();
  options.augmentation.minZoom = values["min-zoom"].as<double>();
  options.augmentation.maxZoom = values["max-zoom"].as<double>();
  options.seed = values["seed"].as<std::uint64_t>();
  options.checkpointEvery = values["checkpoint-every"].as<std::int64_t>();
  options.progressEvery = values["progress-every"].as<std::int64_t>();
  options.device = values["device"].as<std::string>();
  const std::string trained = values["train"].as<std::string>();
  if (trained != "all" && trained != "decryption")
  {
    throw UserError("--train " + trained + ": use all or decryption");
  }
  options.decryptionOnly = trained == "decryption";
  options.refinementTrainingSteps = values["refinement-training-steps"].as<int>();
  options.refinedStructureWeight = values["refined-ssim-weight"].as<double>();
  options.refineAttackedWhereIntact = values["refine-attacked"].as<bool>();
  options.initialModelPath = values.count("init") ? values["init"].as<std::string>() : std::string();
  const std::string out = values.count("out") ? values["out"].as<std::string>() : "medcrypt-" + config.preset + ".pt";
  options.checkpointPath = values.count("checkpoint") ? values["checkpoint"].as<std::string>() : out + ".checkpoint";
  options.snapshotDirectory = values.count("snapshot-dir") ? values["snapshot-dir"].as<std::string>() : std::string();
  const bool resume = values["resume"].as<bool>();
  if (options.decryptionOnly && options.initialModelPath.empty() && !resume)
  {
    throw UserError("--train decryption fine-tunes a trained network: give --init MODEL (or --resume)");
  }
  options.Validate(config);
  if (resume && !std::filesystem::exists(options.checkpointPath))
  {
    throw UserError("--resume: checkpoint " + options.checkpointPath + " does not exist");
  }
  // Found before training, not after it: the model and checkpoint are written into existing directories.
  for (const std::string & path : { out, options.checkpointPath })
  {
    RequireWritableDirectoryFor(path, "--out / --checkpoint");
  }
  if (!options.snapshotDirectory.empty())
  {
    RequireWritableDirectoryFor(Trainer::SnapshotPath(options.snapshotDirectory, 0), "--snapshot-dir");
  }

  auto source = std::make_shared<ImageDirectorySource>(
    values["data"].as<std::vector<std::string>>(), values["all-axes"].as<bool>(), std::cerr);
  if (source->size() == 0)
  {
    throw UserError("no usable images under the --data directories (DICOM, PNG, MHA, NRRD or NIfTI)");
  }
  std::cout << "data: " << source->size() << " slices from " << source->FileCount() << " image file(s)\n"
            << "model: preset " << config.preset << ", " << CountParameters(config) << " parameters, crop "
            << options.cropSize << ", batch " << options.batchSize << ", " << options.totalSteps << " steps ("
            << options.pretrainSteps << " pre-training), " << at::get_num_threads() << " thread(s), device "
            << options.device << std::endl;

  Trainer trainer(config, options, source);
  if (resume)
  {
    trainer.LoadCheckpoint(options.checkpointPath);
    std::cout << "resumed from " << options.checkpointPath << " at step " << trainer.CurrentStep() << std::endl;
  }
  trainer.Run(std::cout);
  const std::string modelId = trainer.SaveModel(out, values["half"].as<bool>());
  std::cout << "model written to " << out << " (model id " << modelId << ")" << std::endl;
  return 0;
}

} // namespace medcrypt::cli

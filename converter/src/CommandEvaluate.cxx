// medcrypt evaluate: the paper's security and robustness metrics (Tables 2, 4, 5, 6) of a model on a
// directory of images.
#include "CipherCommandSupport.h"
#include "Commands.h"
#include "evaluate/EvaluationInputs.h"
#include "evaluate/EvaluationProtocol.h"
#include "evaluate/EvaluationReport.h"

#include "itkMultiThreaderBase.h"

#include <chrono>
#include <iostream>

namespace medcrypt::cli
{

int
RunEvaluate(const Arguments & arguments)
{
  CommandSpec spec;
  spec.name = "evaluate";
  spec.synopsis = "medcrypt evaluate (--key KEYFILE | --key-env VAR) [--model FILE] [--json] [--size N] [--seed S] "
                  "[--schedule hardened|paper] [--refinement-iterations N] [--format-version 1|2|3|4] [--threads T] "
                  "DIR_OR_FILE...";
  spec.summary =
    "Measures the paper's Tables 2, 4, 5 and 6 for a model on images: every file an ITK reader recognises\n"
    "under each DIR (recursively; other files are skipped quietly, unreadable images are reported and\n"
    "skipped) and each FILE. A 3-D volume contributes its middle slice along the last axis. Each 2-D image\n"
    "is resampled (linear interpolation, rounded and clamped to its pixel type) to N x N, by default the\n"
    "model's tile size, so that one image is one tile as in the paper; --size 0 keeps the native size (then\n"
    "a changed pixel or x0 changes only its own tile, so NPCR/UACI of larger images come out low).\n"
    "Per image: entropy and adjacent correlations of the ciphertext's 8-bit view (value >> 8); NPCR/UACI\n"
    "for one changed pixel and for 1% changed pixels (seeded, +1, or -1 at the type's maximum) and for\n"
    "each x0_k + 1e-15 that enters the ciphertext (all four in format versions 2 to 4; k = 1..min(4, levels) in\n"
    "version 1), with Wu-Noonan-Agaian tests at alpha\n"
    "0.05; PSNR of a decryption with feature keys from another (seeded) key; PSNR/SSIM of the network's\n"
    "decryption (no envelope; refined by --refinement-iterations defect-correction steps as medcrypt decrypt\n"
    "does, and by the decoder alone) and whether the exact envelope restores bit for bit; PSNR/SSIM after\n"
    "centred 30x30, 50x50, 100x100 black and white crops and 1% and 10% Gaussian noise on the ciphertext. PSNR/SSIM "
    "use L = 255 for 8-bit images, else the\n"
    "plaintext's max - min. Prints a Markdown table (paper value, target, mean, pass) and a table per\n"
    "image, or with --json one object {model, key_schedule, size, seed, refinement_iterations,\n"
    "format_version, alpha, images, summary}. The ciphertexts are written in the cipher format version that\n"
    "encryption writes (4: each tile stored under its keyed permutation with a sealed digest of every 16 x 16\n"
    "pool, so that the decryption of a cropped or noised ciphertext is refined where its pools are intact;\n"
    "docs/format.md) unless --format-version asks for 3 (the same pixels, no pool digests: changed ciphertexts\n"
    "are decrypted by the decoder alone), 2 (the permutation of version 2) or 1 (the network's ciphertext as it\n"
    "comes out, the paper's).\n"
    "Progress goes to stderr.";
  AddKeyOptions(spec);
  AddModelOption(spec);
  AddRefinementOption(spec);
  spec.options.add_options()("json", po::bool_switch(), "print one JSON object instead of Markdown")(
    "size",
    po::value<unsigned>()->value_name("N"),
    "edge of the evaluated images (default: the model's tile size; 0: native size)")(
    "seed", po::value<std::uint64_t>()->default_value(0), "seed of the changed pixels, the other key and the noise")(
    "schedule", po::value<std::string>()->default_value("hardened"), "feature-key schedule: hardened or paper")(
    "format-version",
    po::value<std::uint32_t>()->default_value(CipherHeaderVersion),
    "cipher format version: 4, 3 and 2 permute each ciphertext tile under its key (4 and 3 shuffle pixels inside "
    "16 x 16 blocks, 2 inside 8 x 8 cells; 4 seals a digest of each block), 1 keeps the network's layout")(
    "threads", po::value<int>()->default_value(0), "CPU threads for LibTorch and ITK (0: their defaults)")(
    "inputs",
    po::value<std::vector<std::string>>()->required()->value_name("DIR_OR_FILE"),
    "directories of images, or image files");
  spec.positional.add("inputs", -1);
  const auto values = Parse(spec, arguments);

  const auto inputs = values["inputs"].as<std::vector<std::string>>();
  const int threads = values["threads"].as<int>();
  if (threads < 0)
  {
    throw UserError("--threads must be 0 (the defaults) or positive");
  }
  std::string inputNames;
  for (const auto & input : inputs)
  {
    inputNames += (inputNames.empty() ? "" : ", ") + input;
  }
  const auto files = evaluate::FindEvaluationImages(inputs);
  if (files.empty())
  {
    throw UserError("no image files in " + inputNames +
                    ": give directories holding images ITK reads (MHA, NRRD, "
                    "NIfTI, PNG, DICOM) or image files");
  }

  evaluate::EvaluationSettings settings;
  settings.schedule = KeyScheduleFromString(values["schedule"].as<std::string>());
  settings.seed = values["seed"].as<std::uint64_t>();
  settings.refinementIterations = RefinementIterationsOption(values);
  settings.formatVersion = values["format-version"].as<std::uint32_t>();
  if (settings.formatVersion < OldestCipherHeaderVersion || settings.formatVersion > CipherHeaderVersion)
  {
    throw UserError("--format-version must be " + std::to_string(OldestCipherHeaderVersion) + " to " +
                    std::to_string(CipherHeaderVersion));
  }
  settings.key = LoadKey(values);
  if (threads > 0)
  {
    NeuralCipher::SetThreads(threads);
    itk::MultiThreaderBase::SetGlobalDefaultNumberOfThreads(threads);
  }
  settings.model = LoadModelOption(values);
  settings.size =
    values.count("size") ? values["size"].as<unsigned>() : static_cast<unsigned>(settings.model->TileSize());

  evaluate::EvaluationRun run;
  run.modelFile = values.count("model") ? values["model"].as<std::string>() : NeuralCipher::DefaultModelPath();
  run.modelId = settings.model->ModelId();
  run.modelConfigurationJson = settings.model->ConfigurationJson();
  run.schedule = settings.schedule;
  run.size = settings.size;
  run.seed = settings.seed;
  run.refinementIterations = settings.refinementIterations;
  run.formatVersion = settings.formatVersion;
  for (std::size_t i = 0; i < files.size(); ++i)
  {
    const auto start = std::chrono::steady_clock::now();
    std::cerr << "[" << i + 1 << "/" << files.size() << "] " << files[i] << " ..." << std::flush;
    try
    {
      run.images.push_back(evaluate::EvaluateImageFile(files[i], settings));
    }
    catch (const UserError & error)
    {
      std::cerr << " skipped: " << error.what() << std::endl;
      continue;
    }
    const std::chrono::duration<double> seconds = std::chrono::steady_clock::now() - start;
    std::cerr << " " << Fixed(seconds.count(), 1) << " s" << std::endl;
  }
  if (run.images.empty())
  {
    throw UserError("none of the " + std::to_string(files.size()) + " image file(s) in " + inputNames +
                    " could be evaluated (see the messages above)");
  }

  if (values["json"].as<bool>())
  {
    std::cout << evaluate::ReportJson(run).dump(2) << std::endl;
  }
  else
  {
    evaluate::WriteMarkdownReport(run, std::cout);
  }
  return 0;
}

} // namespace medcrypt::cli

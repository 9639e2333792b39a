// medcrypt calibrate: fit a model's output calibration on ciphertexts of training images.
#include "Commands.h"
#include "ImageDirectorySource.h"

#include "medcrypt/Error.h"
#include "medcrypt/ModelFile.h"
#include "medcrypt/OutputCalibrationFit.h"

#include <filesystem>
#include <iostream>

namespace medcrypt::cli
{

int
RunCalibrate(const Arguments & arguments)
{
  CommandSpec spec;
  spec.name = "calibrate";
  spec.synopsis = "medcrypt calibrate --model MODEL --data DIR [--data DIR ...] [--all-axes] [--tiles N] [--seed S]\n"
                  "       [--threads N] [--half] --out MODEL";
  spec.summary =
    "Fits the output calibration of a trained model and writes the model with it. The calibration is a\n"
    "fixed, public, rising piecewise-linear map of the network's sigmoid output (1024 segments), applied\n"
    "before the ciphertext is quantised and undone before decryption, that makes ciphertext values uniform:\n"
    "a trained network's output histogram is U-shaped in the same way for every image, which costs\n"
    "ciphertext entropy (docs/design.md, \"output calibration\"). It is fitted on --tiles random tile-sized\n"
    "crops of the --data images, each encrypted under random feature keys: use training images, never the\n"
    "images the model is evaluated on. Decryption quality does not change (the decoder sees what it saw);\n"
    "the model id does, so ciphertexts of the uncalibrated model need that model. Prints the pooled 8-bit\n"
    "entropy of the sampled ciphertexts before and after (in-sample; 'medcrypt evaluate' measures it on\n"
    "other images).";
  spec.options.add_options()("model", po::value<std::string>()->required()->value_name("MODEL"), "model to calibrate")(
    "data",
    po::value<std::vector<std::string>>()->required()->value_name("DIR"),
    "directory searched recursively for images (repeatable)")(
    "all-axes", po::bool_switch(), "also slice 3-D volumes along their first two axes")(
    "tiles", po::value<std::int64_t>()->default_value(256), "ciphertext tiles to fit on")(
    "seed", po::value<std::uint64_t>()->default_value(1), "seed of the crops and keys")(
    "threads", po::value<int>()->default_value(0), "CPU threads for LibTorch (0: its default)")(
    "half",
    po::bool_switch(),
    "store the weights as float16 (as they are when MODEL has them so; the calibration itself stays float32)")(
    "out", po::value<std::string>()->required()->value_name("MODEL"), "model file to write");
  const auto values = Parse(spec, arguments);

  const std::string in = values["model"].as<std::string>();
  const std::string out = values["out"].as<std::string>();
  const std::int64_t tiles = values["tiles"].as<std::int64_t>();
  if (tiles < 1)
  {
    throw UserError("--tiles must be at least 1");
  }
  std::error_code notThere;
  if (std::filesystem::equivalent(in, out, notThere))
  {
    throw UserError("--out " + out + " is the model to calibrate: write the calibrated model to a new file");
  }
  RequireWritableDirectoryFor(out, "--out");
  SetTorchThreads(values["threads"].as<int>());
  LoadedModel model = LoadModelFile(in);
  ImageDirectorySource source(values["data"].as<std::vector<std::string>>(), values["all-axes"].as<bool>(), std::cerr);
  if (source.size() == 0)
  {
    throw UserError("no usable images under the --data directories (DICOM, PNG, MHA, NRRD or NIfTI)");
  }
  const OutputCalibrationFit fit =
    FitOutputCalibrationOnImages(model.net, source, tiles, values["seed"].as<std::uint64_t>());
  model.net->setOutputCalibration(fit.knots);
  const std::string modelId = SaveModelFile(model.net, out, values["half"].as<bool>() || model.storedAsHalf);
  std::cout << "fitted on " << fit.tiles << " tiles of " << source.size() << " slices: pooled 8-bit entropy "
            << Fixed(fit.entropyBefore, 5) << " -> " << Fixed(fit.entropyAfter, 5) << " bits (outermost bins at "
            << Fixed(fit.outerBinsBefore, 3) << " x uniform before)\n"
            << "calibrated model written to " << out << " (model id " << modelId << ")" << std::endl;
  return 0;
}

} // namespace medcrypt::cli

// medcrypt average: the mean of the weights of several snapshots of one training run.
#include "Commands.h"

#include "medcrypt/Error.h"
#include "medcrypt/ModelAveraging.h"
#include "medcrypt/ModelFile.h"

#include <filesystem>
#include <iostream>

namespace medcrypt::cli
{

int
RunAverage(const Arguments & arguments)
{
  CommandSpec spec;
  spec.name = "average";
  spec.synopsis = "medcrypt average --out MODEL [--half] MODEL1 MODEL2 [MODEL3 ...]";
  spec.summary =
    "Writes a model whose weights are the mean of the given models' (weight averaging). Give it snapshots of\n"
    "one training run, exported at several steps near its end: their mean cancels much of the step-to-step\n"
    "noise. Weights that are bit for bit the same in every model (the frozen encryption of a --train\n"
    "decryption run) are copied as they are, so the averaged model makes the same ciphertexts. The models\n"
    "must share one configuration.";
  spec.options.add_options()("out", po::value<std::string>()->required()->value_name("MODEL"), "model file to write")(
    "half", po::bool_switch(), "store the weights as float16")(
    "models", po::value<std::vector<std::string>>()->required()->value_name("MODEL"), "model files to average");
  spec.positional.add("models", -1);
  const auto values = Parse(spec, arguments);

  const auto paths = values["models"].as<std::vector<std::string>>();
  const std::string out = values["out"].as<std::string>();
  for (const auto & path : paths)
  {
    std::error_code notThere;
    if (std::filesystem::equivalent(path, out, notThere))
    {
      throw UserError("--out " + out + " is one of the models to average: write the average to a new file");
    }
  }
  std::vector<CipherNet> models;
  for (const auto & path : paths)
  {
    models.push_back(LoadModelFile(path).net);
  }
  CipherNet averaged = AverageModels(models);
  const std::string modelId = SaveModelFile(averaged, out, values["half"].as<bool>());
  std::cout << "average of " << paths.size() << " models written to " << out << " (model id " << modelId << ")"
            << std::endl;
  return 0;
}

} // namespace medcrypt::cli

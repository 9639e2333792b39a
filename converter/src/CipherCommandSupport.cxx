#include "CipherCommandSupport.h"

#include <filesystem>
#include <system_error>

namespace medcrypt::cli
{

void
AddModelOption(CommandSpec & spec)
{
  spec.options.add_options()("model",
                             po::value<std::string>()->value_name("FILE"),
                             "model file (default: the shipped model; $MEDCRYPT_MODEL overrides it)");
}

void
AddRefinementOption(CommandSpec & spec)
{
  spec.options.add_options()(
    "refinement-iterations",
    po::value<int>()->default_value(DefaultRefinementIterations)->value_name("N"),
    "defect-correction steps that refine the network's decryption of an unchanged ciphertext, each about as "
    "costly as two decryptions; 0: the decoder alone (docs/design.md)");
}

unsigned int
RefinementIterationsOption(const po::variables_map & values)
{
  const int iterations = values["refinement-iterations"].as<int>();
  if (iterations < 0 || iterations > 100)
  {
    throw UserError("--refinement-iterations " + std::to_string(iterations) + ": give a number from 0 to 100");
  }
  return static_cast<unsigned int>(iterations);
}

std::shared_ptr<const NeuralCipher>
LoadModelOption(const po::variables_map & values)
{
  return LoadModelOrDefault(values.count("model") ? values["model"].as<std::string>() : std::string());
}

std::shared_ptr<const NeuralCipher>
LoadModelOrDefault(const std::string & file)
{
  const std::string path = file.empty() ? NeuralCipher::DefaultModelPath() : file;
  if (path.empty())
  {
    throw UserError("no model: pass --model FILE or train one with medcrypt train");
  }
  return NeuralCipher::Load(path);
}

void
RefuseSameFile(const std::string & input, const std::string & output)
{
  namespace fs = std::filesystem;
  std::error_code error;
  bool same = false;
  if (fs::exists(output, error))
  {
    same = fs::equivalent(input, output, error) && !error;
  }
  else
  {
    std::error_code inputError;
    std::error_code outputError;
    const auto in = fs::weakly_canonical(input, inputError);
    const auto out = fs::weakly_canonical(output, outputError);
    same = !inputError && !outputError && in == out;
  }
  if (same)
  {
    throw UserError("OUT (" + output + ") is the input file: choose another output, the input is never overwritten");
  }
}

} // namespace medcrypt::cli

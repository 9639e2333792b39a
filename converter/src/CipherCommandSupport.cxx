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

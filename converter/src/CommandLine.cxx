#include "CommandLine.h"

#include "medcrypt/Error.h"

#include <ATen/Parallel.h>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <unistd.h>

namespace medcrypt::cli
{

po::variables_map
Parse(CommandSpec & spec, const Arguments & arguments)
{
  spec.options.add_options()("help,h", "print this help and exit");
  po::variables_map values;
  try
  {
    po::store(po::command_line_parser(arguments).options(spec.options).positional(spec.positional).run(), values);
    if (values.count("help"))
    {
      std::cout << "usage: " << spec.synopsis << "\n\n" << spec.summary << "\n\n" << spec.options << std::endl;
      throw HelpShown{};
    }
    po::notify(values);
  }
  catch (const po::error & error)
  {
    throw UserError(std::string(error.what()) + "\nusage: " + spec.synopsis + "\n(run 'medcrypt " + spec.name +
                    " --help' for the options)");
  }
  return values;
}

void
AddKeyOptions(CommandSpec & spec)
{
  spec.options.add_options()(
    "key", po::value<std::string>()->value_name("FILE"), "user key file (JSON, mode 0600; made by 'medcrypt keygen')")(
    "key-env",
    po::value<std::string>()->value_name("VAR"),
    "name of an environment variable that holds a passphrase (stretched with scrypt); the key itself is never "
    "accepted on the command line");
}

UserKey
LoadKey(const po::variables_map & values)
{
  const bool fromFile = values.count("key") > 0;
  const bool fromEnvironment = values.count("key-env") > 0;
  if (fromFile == fromEnvironment)
  {
    throw UserError(
      "give exactly one of --key FILE or --key-env VAR (make a key file with 'medcrypt keygen --out FILE')");
  }
  return fromFile ? LoadUserKeyFile(values["key"].as<std::string>())
                  : UserKeyFromEnvironment(values["key-env"].as<std::string>());
}

std::string
Fixed(double value, int digits)
{
  char text[64];
  std::snprintf(text, sizeof(text), "%.*f", digits, value);
  return text;
}

void
RequireWritableDirectoryFor(const std::string & path, const std::string & option)
{
  const std::filesystem::path directory = std::filesystem::absolute(path).parent_path();
  std::error_code error;
  if (!std::filesystem::is_directory(directory, error) || ::access(directory.c_str(), W_OK) != 0)
  {
    throw UserError(path + ": cannot write into " + directory.string() +
                    " (missing or not writable); create the directory or choose another " + option);
  }
}

void
SetTorchThreads(int threads)
{
  if (threads < 0)
  {
    throw UserError("--threads must be 0 (LibTorch's default) or positive");
  }
  if (threads > 0)
  {
    at::set_num_threads(threads);
  }
}

} // namespace medcrypt::cli

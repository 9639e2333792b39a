#ifndef medcrypt_CommandLine_h
#define medcrypt_CommandLine_h

#include "medcrypt/UserKey.h"

#include <boost/program_options.hpp>

#include <string>
#include <vector>

namespace medcrypt::cli
{

namespace po = boost::program_options;

using Arguments = std::vector<std::string>;

/** Thrown after --help has been printed: the command ends with status 0. */
struct HelpShown
{
};

/** One subcommand's description: its synopsis and the options it takes. */
struct CommandSpec
{
  std::string name;     // e.g. "keys"
  std::string synopsis; // e.g. "medcrypt keys --key FILE [--json] IMAGE"
  std::string summary;  // one paragraph printed under the synopsis by --help
  po::options_description options{ "Options", 100 };
  po::positional_options_description positional;
};

/** Parses `arguments` (without the subcommand name) against `spec`; adds and handles --help (prints
 * the synopsis, summary and options, then throws HelpShown). Unknown options and missing values
 * become UserError with the synopsis. */
po::variables_map
Parse(CommandSpec & spec, const Arguments & arguments);

/** Adds --key FILE and --key-env VAR to `spec`. */
void
AddKeyOptions(CommandSpec & spec);

/** The user key from --key (a key file, mode 0600) or --key-env (an environment variable holding a
 * passphrase). Exactly one must be given. */
UserKey
LoadKey(const po::variables_map & values);

/** Throws UserError unless the directory that `path` will be written into exists and is writable;
 * `option` names the option that chose the path. Commands call it before long work, not after it. */
void
RequireWritableDirectoryFor(const std::string & path, const std::string & option);

/** Sets LibTorch's CPU threads from a --threads value (0: its default); throws UserError below 0. */
void
SetTorchThreads(int threads);

/** Prints a floating-point value for tables: fixed with `digits` decimals. */
std::string
Fixed(double value, int digits);

} // namespace medcrypt::cli

#endif

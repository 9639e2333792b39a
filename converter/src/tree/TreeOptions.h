#ifndef medcrypt_TreeOptions_h
#define medcrypt_TreeOptions_h

// The options of `medcrypt encrypt|decrypt` that apply to directory trees, and the help text on trees.

#include "TreeConversion.h"

#include "../CommandLine.h"

#include <string>
#include <vector>

namespace medcrypt::cli::tree
{

/** The --help paragraph on directory trees: what is converted, copied, skipped or failed, the exit
 * status, the journal and --overwrite. `convertedName` is "encrypted" or "restored". */
std::string
TreeHelpText(const std::string & convertedName);

/** Adds --jobs N, --overwrite, --report FILE.json and --fail-on-non-dicom. */
void
AddTreeOptions(CommandSpec & spec);

/** The common tree settings from the parsed options and IN, OUT. Throws UserError for --jobs 0. */
TreeRunSettings
TreeSettingsFrom(const po::variables_map & values, const std::string & input, const std::string & output);

/** Throws UserError when one of the options `names` was given although IN is a single file. */
void
RefuseTreeOnlyOptions(const po::variables_map & values, const std::vector<std::string> & names);

} // namespace medcrypt::cli::tree

#endif

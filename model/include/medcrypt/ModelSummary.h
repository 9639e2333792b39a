#ifndef medcrypt_ModelSummary_h
#define medcrypt_ModelSummary_h

// Parameter counts of a configuration, module by module, next to the paper's Table 1. Free of
// LibTorch headers so that command-line tools can print them cheaply.

#include "medcrypt/ModelConfig.h"

#include <cstdint>
#include <string>
#include <vector>

namespace medcrypt
{

/** The total of the paper's Table 1 (its "Total Parameters" column summed). */
constexpr std::int64_t PaperTable1TotalParameters = 79403169;

/** One module family of CipherNet and its parameter count. */
struct ModuleParameterCount
{
  std::string module;      // "head", "fem", "ffpm", "ffem", "subpixel", "ffdm", "fdm", "tail"
  std::string description; // what the family holds
  std::int64_t parameters = 0;
  std::int64_t paperTable1 = -1; // Table 1's total for the matching rows; -1: not in Table 1
};

/** Builds the network of `config` (on the CPU) and counts its parameters per module family, in the
 * order of the data flow: head, fem, ffpm, ffem, subpixel, ffdm, fdm, tail. */
std::vector<ModuleParameterCount>
CountParametersByModule(const ModelConfig & config);

/** The sum of CountParametersByModule. */
std::int64_t
CountParameters(const ModelConfig & config);

} // namespace medcrypt

#endif

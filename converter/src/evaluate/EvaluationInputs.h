#ifndef medcrypt_EvaluationInputs_h
#define medcrypt_EvaluationInputs_h

// Which files `medcrypt evaluate` evaluates: the image files named on the command line and every file
// that an ITK reader recognises under the directories named there.

#include <string>
#include <vector>

namespace medcrypt::evaluate
{

/** The files to evaluate, in order: each named file as it is (its reading reports any problem), and
 * for each named directory every regular file below it (recursively, sorted by path) that some ITK
 * reader recognises. Files no reader knows (MANIFEST.tsv, sidecars, notes) are left out quietly.
 * UserError when a named path does not exist. */
std::vector<std::string>
FindEvaluationImages(const std::vector<std::string> & inputs);

} // namespace medcrypt::evaluate

#endif

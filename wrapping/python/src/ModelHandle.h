#ifndef medcrypt_python_ModelHandle_h
#define medcrypt_python_ModelHandle_h

// medcrypt.Model on the C++ side: a loaded NeuralCipher and the file it came from, and the model that
// encrypt and decrypt use when given none.

#include "medcrypt/NeuralCipher.h"

#include <memory>
#include <optional>
#include <string>

namespace medcrypt::python
{

/** A loaded model file (shared: one Model serves any number of encryptions). */
struct ModelHandle
{
  std::shared_ptr<const NeuralCipher> cipher;
  std::string path;
};

/** Loads `path`, or when it is empty the shipped default model with the command line's resolution
 * (NeuralCipher::DefaultModelPath: $MEDCRYPT_MODEL, the installed copy, the source tree's copy).
 * UserError when there is none. The default model is loaded once per path and kept. */
ModelHandle
LoadModelHandle(const std::string & path);

/** `model` when given, otherwise LoadModelHandle("") (the default model). */
std::shared_ptr<const NeuralCipher>
ModelOrDefault(const std::optional<ModelHandle> & model);

} // namespace medcrypt::python

#endif

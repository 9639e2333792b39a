#ifndef medcrypt_ModelFile_h
#define medcrypt_ModelFile_h

// One file per trained model: the configuration (JSON), the weights and the model id. Ciphertexts
// record the model id, so that decrypting with another model is refused.

#include "medcrypt/CipherNet.h"

#include <optional>
#include <string>

namespace medcrypt
{

/** A model read back from its file (on the CPU, float32, in training mode: call net->eval()). */
struct LoadedModel
{
  CipherNet net{ nullptr };
  std::string modelId; // 64 lower-case hex digits
  bool storedAsHalf = false;
};

/** The model id: hex SHA-256 over every parameter and buffer in the order of their sorted names;
 * each contributes its name, a NUL byte, its rank and sizes as little-endian int64, and its values as
 * little-endian IEEE float32 (row-major). The id therefore names the weights whatever dtype or
 * device they are held in. */
std::string
ComputeModelId(CipherNet & net);

/** Writes the model file (under a temporary name, then renamed). With `half`, the weights are stored
 * as float16 (half the size); the id is then computed over the float16-rounded weights, i.e. the
 * float32 values that LoadModelFile will produce. Refuses (UserError) half storage of a weight
 * outside the float16 range. Returns the model id. */
std::string
SaveModelFile(CipherNet & net, const std::string & path, bool half = false);

/** Reads a model file. Throws UserError naming the file when it is missing, truncated, not a
 * MedCrypt model, of an unsupported version, holds weights that do not match their id, or (when
 * `expected` is given) was built with another configuration. */
LoadedModel
LoadModelFile(const std::string & path, const std::optional<ModelConfig> & expected = std::nullopt);

} // namespace medcrypt

#endif

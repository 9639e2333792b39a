#ifndef medcrypt_ModelAveraging_h
#define medcrypt_ModelAveraging_h

// Weight averaging of models along one training run (Polyak averaging, "stochastic weight
// averaging"): the mean of several snapshots of a run is usually a better model than any one of them,
// because it cancels the step-to-step noise of small-batch training.

#include "medcrypt/CipherNet.h"

#include <vector>

namespace medcrypt
{

/** A network of the models' common configuration whose every parameter and buffer is the mean of the
 * models' (in float64, rounded once to float32). A tensor that is bit for bit the same in every model
 * is copied as it is, so that averaging the snapshots of a `--train decryption` run keeps the frozen
 * encryption, and every ciphertext, exactly. Throws UserError for fewer than two models or models of
 * different configurations. */
CipherNet
AverageModels(const std::vector<CipherNet> & models);

} // namespace medcrypt

#endif

#ifndef medcrypt_TinyModelFile_h
#define medcrypt_TinyModelFile_h

// A freshly initialised (untrained) model of the `tiny` preset (32 x 32 tiles), written to a file, so
// that tests of encryption and decryption need no trained model. Bit-exact round trips through the
// exact envelope, determinism, key sensitivity and the refusals do not depend on the model's quality.
// No LibTorch in this header.

#include <cstdint>
#include <string>

namespace medcrypt::testing
{

/** Writes a `tiny` model initialised from LibTorch's generator seeded with `seed` to `path` and
 * returns its model id. Different seeds give different weights, hence different model ids. */
std::string
WriteTinyModelFile(const std::string & path, std::uint64_t seed);

} // namespace medcrypt::testing

#endif

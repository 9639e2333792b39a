#ifndef medcrypt_python_Bindings_h
#define medcrypt_python_Bindings_h

// The parts of the `medcrypt` Python module, one function per source file; MedCryptModule.cxx calls
// them in this order (keys and model first: encrypt and decrypt take them as arguments).

#include <pybind11/pybind11.h>

namespace medcrypt::python
{

/** medcrypt.Key: generate, load, from_passphrase, from_environment, save (KeyBindings.cxx). */
void
RegisterKeys(pybind11::module_ & module);

/** medcrypt.Model: load, model_id, tile_size, preset, path (ModelBindings.cxx). */
void
RegisterModel(pybind11::module_ & module);

/** medcrypt.EncryptedImage, encrypt, decrypt, load_encrypted (CipherBindings.cxx). */
void
RegisterCipher(pybind11::module_ & module);

/** entropy, adjacent_correlation, npcr_uaci, psnr, ssim (MetricsBindings.cxx). */
void
RegisterMetrics(pybind11::module_ & module);

} // namespace medcrypt::python

#endif

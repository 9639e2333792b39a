// medcrypt.Key: the user key of the paper (Eq. 2) through model/include/medcrypt/UserKey.h, the code
// behind `medcrypt keygen` and --key / --key-env. The key's bits never reach Python: no attribute,
// repr or pickling exposes them.
#include "Bindings.h"

#include "medcrypt/UserKey.h"

#include <pybind11/stl/filesystem.h>

#include <filesystem>
#include <sstream>

namespace medcrypt::python
{

namespace py = pybind11;

void
RegisterKeys(py::module_ & module)
{
  py::class_<UserKey>(module,
                      "Key",
                      "A MedCrypt user key: four secret 64-bit words and the logistic-map parameters mu and burn-in.\n"
                      "Make one with Key.generate(), Key.load(path), Key.from_passphrase(text) or\n"
                      "Key.from_environment(name); keep it with key.save(path). The secret words are never shown.")
    .def_static(
      "generate",
      [](double mu, int burnIn)
      {
        UserKey key = GenerateUserKey();
        key.mu = mu;
        key.burnIn = burnIn;
        key.Validate();
        return key;
      },
      py::arg("mu") = UserKey::DefaultMu,
      py::arg("burn_in") = UserKey::DefaultBurnIn,
      "A fresh random key (OpenSSL RAND_bytes), as `medcrypt keygen` makes. medcrypt.Error when mu is outside "
      "[3.5699, 4] or burn_in is out of range.")
    .def_static(
      "load",
      [](const std::filesystem::path & path) { return LoadUserKeyFile(path.string()); },
      py::arg("path"),
      "Reads a key file (written by Key.save or `medcrypt keygen`). medcrypt.Error when the file is missing, is "
      "readable or writable by group or others, or is not a MedCrypt key.")
    .def_static(
      "from_passphrase",
      [](const std::string & passphrase)
      {
        py::gil_scoped_release release; // scrypt takes a moment
        return UserKeyFromPassphrase(passphrase);
      },
      py::arg("passphrase"),
      "The key stretched from a passphrase with scrypt, the same key as `--key-env VAR` gives for that passphrase.")
    .def_static(
      "from_environment",
      [](const std::string & variable) { return UserKeyFromEnvironment(variable); },
      py::arg("variable"),
      "The key stretched from the passphrase held in the environment variable `variable` (like --key-env).")
    .def(
      "save",
      [](const UserKey & key, const std::filesystem::path & path, bool overwrite)
      { SaveUserKeyFile(key, path.string(), overwrite); },
      py::arg("path"),
      py::arg("overwrite") = false,
      "Writes the key file with mode 0600 (under a temporary name, then renamed). medcrypt.Error when the file "
      "exists, unless overwrite=True.")
    .def_property_readonly(
      "mu", [](const UserKey & key) { return key.mu; }, "The logistic-map parameter mu (not secret).")
    .def_property_readonly(
      "burn_in", [](const UserKey & key) { return key.burnIn; }, "Logistic-map iterations discarded (not secret).")
    .def("__repr__",
         [](const UserKey & key)
         {
           std::ostringstream text;
           text << "<medcrypt.Key mu=" << key.mu << " burn_in=" << key.burnIn << " (secret words hidden)>";
           return text.str();
         });
}

} // namespace medcrypt::python

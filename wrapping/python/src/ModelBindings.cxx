// medcrypt.Model: a cipher network file loaded through medcrypt::NeuralCipher (the same loader as
// `medcrypt encrypt --model`).
#include "Bindings.h"
#include "ModelHandle.h"

#include "medcrypt/Error.h"

#include <nlohmann/json.hpp>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <filesystem>
#include <map>

namespace medcrypt::python
{

namespace py = pybind11;

ModelHandle
LoadModelHandle(const std::string & path)
{
  if (!path.empty())
  {
    py::gil_scoped_release release;
    return ModelHandle{ NeuralCipher::Load(path), path };
  }
  const std::string defaultPath = NeuralCipher::DefaultModelPath();
  if (defaultPath.empty())
  {
    throw UserError("no model: pass medcrypt.Model.load(PATH) (or model=...), set $MEDCRYPT_MODEL to a model file, "
                    "or train one with `medcrypt train`");
  }
  // Called with the GIL held, which guards the cache.
  static std::map<std::string, std::shared_ptr<const NeuralCipher>> loadedDefaults;
  auto & cipher = loadedDefaults[defaultPath];
  if (!cipher)
  {
    py::gil_scoped_release release;
    cipher = NeuralCipher::Load(defaultPath);
  }
  return ModelHandle{ cipher, defaultPath };
}

std::shared_ptr<const NeuralCipher>
ModelOrDefault(const std::optional<ModelHandle> & model)
{
  return model ? model->cipher : LoadModelHandle("").cipher;
}

namespace
{
/** The preset named in the model's configuration ("custom" when it names none). */
std::string
PresetOf(const ModelHandle & model)
{
  return nlohmann::json::parse(model.cipher->ConfigurationJson()).value("preset", std::string("custom"));
}
} // namespace

void
RegisterModel(py::module_ & module)
{
  py::class_<ModelHandle>(module, "Model", "A MedCrypt cipher network loaded from a model file (.mcmodel).")
    .def_static(
      "load",
      [](const std::optional<std::filesystem::path> & path) { return LoadModelHandle(path ? path->string() : ""); },
      py::arg("path") = py::none(),
      "Loads a model file; with no path the shipped default model, found as the command line finds it "
      "($MEDCRYPT_MODEL, the installed copy, the source tree's copy). medcrypt.Error when the file is missing or "
      "not a MedCrypt model.")
    .def_property_readonly(
      "model_id",
      [](const ModelHandle & model) { return model.cipher->ModelId(); },
      "Hex SHA-256 of the weights; every ciphertext records it.")
    .def_property_readonly(
      "tile_size", [](const ModelHandle & model) { return model.cipher->TileSize(); }, "Tile edge T in pixels.")
    .def_property_readonly(
      "preset", &PresetOf, "The configuration preset the network was built from: paper, default, tiny or custom.")
    .def_property_readonly(
      "path", [](const ModelHandle & model) { return model.path; }, "The model file.")
    .def("__repr__",
         [](const ModelHandle & model)
         {
           return "<medcrypt.Model " + model.path + " preset=" + PresetOf(model) +
                  " tile_size=" + std::to_string(model.cipher->TileSize()) +
                  " id=" + model.cipher->ModelId().substr(0, 12) + "...>";
         });
}

} // namespace medcrypt::python

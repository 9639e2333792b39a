#include "ModuleSupport.h"

#include "CipherCommandSupport.h"

#include "medcrypt/Error.h"

namespace medcrypt::slicer
{

std::string
RequiredFile(const SlicerCliValues & values, const std::string & name, const std::string & what)
{
  if (!values.Has(name) || values.String(name).empty())
  {
    throw UserError("--" + name + " is required: " + what);
  }
  return values.String(name);
}

UserKey
LoadKeyFileParameter(const SlicerCliValues & values)
{
  return LoadUserKeyFile(
    RequiredFile(values, "keyFile", "choose the MedCrypt key file (make one with 'medcrypt keygen --out FILE')"));
}

std::shared_ptr<const NeuralCipher>
LoadModelParameter(const SlicerCliValues & values)
{
  return cli::LoadModelOrDefault(values.Has("model") ? values.String("model") : std::string());
}

} // namespace medcrypt::slicer

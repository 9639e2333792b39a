#ifndef medcrypt_SlicerModuleSupport_h
#define medcrypt_SlicerModuleSupport_h

// What the MedCrypt Slicer modules share: the key file and the model from their parameters.

#include "SlicerCliModule.h"

#include "medcrypt/NeuralCipher.h"
#include "medcrypt/UserKey.h"

#include <memory>
#include <string>

namespace medcrypt::slicer
{

/** The value of the file parameter `name`; UserError "--<name> is required: <what>" when it is absent
 * or empty (Slicer leaves an empty file selector out). */
std::string
RequiredFile(const SlicerCliValues & values, const std::string & name, const std::string & what);

/** The user key of --keyFile (a MedCrypt key file, readable only by its owner). */
UserKey
LoadKeyFileParameter(const SlicerCliValues & values);

/** The model of --model, or the shipped default model when --model is absent or empty; UserError when
 * neither exists. */
std::shared_ptr<const NeuralCipher>
LoadModelParameter(const SlicerCliValues & values);

} // namespace medcrypt::slicer

#endif

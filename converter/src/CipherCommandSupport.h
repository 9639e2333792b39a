#ifndef medcrypt_CipherCommandSupport_h
#define medcrypt_CipherCommandSupport_h

// What `medcrypt encrypt` and `medcrypt decrypt` share: the --model option, the refusal of an output
// that is the input, and ITK pipeline errors turned into user errors.

#include "CommandLine.h"

#include "medcrypt/Error.h"
#include "medcrypt/NeuralCipher.h"

#include "itkMacro.h"

#include <memory>
#include <string>

namespace medcrypt::cli
{

/** Adds --model FILE (default: the shipped model, NeuralCipher::DefaultModelPath()). */
void
AddModelOption(CommandSpec & spec);

/** Loads --model, or the shipped default model. UserError "no model: pass --model FILE or train one
 * with medcrypt train" when neither exists. */
std::shared_ptr<const NeuralCipher>
LoadModelOption(const po::variables_map & values);

/** Adds --refinement-iterations N (default DefaultRefinementIterations): defect-correction steps of the
 * network's decryption of an intact ciphertext; 0 for the decoder alone. */
void
AddRefinementOption(CommandSpec & spec);

/** --refinement-iterations; UserError for a value outside [0, 100]. */
unsigned int
RefinementIterationsOption(const po::variables_map & values);

/** Loads the model file `path`, or the shipped default model when `path` is empty. UserError "no model:
 * pass --model FILE or train one with medcrypt train" when neither exists. */
std::shared_ptr<const NeuralCipher>
LoadModelOrDefault(const std::string & path);

/** Throws UserError when `output` names the same file as `input` (also through links or "./"). */
void
RefuseSameFile(const std::string & input, const std::string & output);

/** Runs `update` (a filter's Update()); an itk::ExceptionObject becomes a UserError with its
 * description (the filters put the user-facing message there). */
template<typename TUpdate>
void
RunFilter(TUpdate && update)
{
  try
  {
    update();
  }
  catch (const itk::ExceptionObject & error)
  {
    throw UserError(error.GetDescription());
  }
}

} // namespace medcrypt::cli

#endif

// The `medcrypt` Python module: what the command line offers, over numpy arrays. Errors the user can
// cause (medcrypt::UserError, and the filters' itk::ExceptionObject whose description is the user-facing
// message, as `medcrypt encrypt/decrypt` treat it) become medcrypt.Error.
#include "Bindings.h"

#include "medcrypt/Error.h"

#include "itkMacro.h"
#include "itkObject.h"

namespace py = pybind11;

PYBIND11_MODULE(medcrypt, module)
{
  module.doc() = "MedCrypt: deep-learning feature-encoding encryption of medical images (numpy arrays in "
                 "C order (z, y, x), as SimpleITK's GetArrayFromImage gives them).";
  auto & error = py::register_exception<medcrypt::UserError>(module, "Error");
  error.doc() = "An error the caller can fix (a file, a key, a model, a wrong key or changed data); the message "
                "says what is wrong and what to do.";
  // The translator is a plain function: it reaches the exception type through this static.
  static PyObject * const errorType = error.ptr();
  py::register_exception_translator(
    [](std::exception_ptr pointer)
    {
      try
      {
        if (pointer)
        {
          std::rethrow_exception(pointer);
        }
      }
      catch (const itk::ExceptionObject & failure)
      {
        PyErr_SetString(errorType, failure.GetDescription());
      }
    });
  // decrypt() reports ciphertext pixels that changed after encryption as a Python RuntimeWarning; ITK's
  // own text warning (printed to stderr) would repeat it.
  itk::Object::GlobalWarningDisplayOff();

  medcrypt::python::RegisterKeys(module);
  medcrypt::python::RegisterModel(module);
  medcrypt::python::RegisterCipher(module);
  medcrypt::python::RegisterMetrics(module);
}

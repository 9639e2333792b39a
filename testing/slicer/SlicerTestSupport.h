#ifndef medcrypt_SlicerTestSupport_h
#define medcrypt_SlicerTestSupport_h

// What the tests of wrapping/slicer add to ProgramRunning.h (running the modules as Slicer does,
// scratch directories).

#include "ProgramRunning.h"
#include "itkImageIOBase.h"

#include <string>

namespace medcrypt::testing
{

/** The component type an image file stores (read from its header). */
itk::IOComponentEnum
StoredComponentType(const std::string & path);

} // namespace medcrypt::testing

#endif

#include "SlicerTestSupport.h"

#include "itkImageIOFactory.h"

#include <stdexcept>

namespace medcrypt::testing
{

itk::IOComponentEnum
StoredComponentType(const std::string & path)
{
  auto io = itk::ImageIOFactory::CreateImageIO(path.c_str(), itk::IOFileModeEnum::ReadMode);
  if (io.IsNull())
  {
    throw std::runtime_error(path + ": no ITK reader");
  }
  io->SetFileName(path);
  io->ReadImageInformation();
  return io->GetComponentType();
}

} // namespace medcrypt::testing

#include "ImageReading.h"

#include <cerrno>
#include <cstring>

namespace medcrypt::cli
{

ImageFileInfo
ReadImageFileInfo(const std::string & path)
{
  struct stat status;
  if (::stat(path.c_str(), &status) != 0)
  {
    throw UserError(path + ": " + std::strerror(errno));
  }
  if (!S_ISREG(status.st_mode))
  {
    throw UserError(path + ": not a regular file (give an image file)");
  }
  auto io = itk::ImageIOFactory::CreateImageIO(path.c_str(), itk::IOFileModeEnum::ReadMode);
  if (!io)
  {
    throw UserError(path + ": no ITK reader recognises this file; give an image in a format ITK reads (MHA, NRRD, "
                           "NIfTI, PNG, DICOM)");
  }
  io->SetFileName(path);
  try
  {
    io->ReadImageInformation();
  }
  catch (const itk::ExceptionObject & error)
  {
    throw UserError(path + ": cannot read the image header (" + std::string(error.GetDescription()) + ")");
  }
  ImageFileInfo info;
  info.component = io->GetComponentType();
  info.dimension = io->GetNumberOfDimensions();
  info.components = io->GetNumberOfComponents();
  return info;
}

} // namespace medcrypt::cli

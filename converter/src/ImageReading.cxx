#include "ImageReading.h"

#include <gdcmTrace.h>

#include <cerrno>
#include <cstring>
#include <fstream>

namespace medcrypt::cli
{

namespace
{

/** ITK 5.2's MetaImage reader only prints a warning for a truncated .mha and returns garbage; refuse
 * such files here: an uncompressed MetaImage with local data must hold header + pixel bytes. */
void
CheckMetaImageIsComplete(const std::string & path, std::uint64_t pixelBytes, std::uint64_t fileBytes)
{
  const auto dot = path.rfind('.');
  if (dot == std::string::npos || (path.substr(dot) != ".mha" && path.substr(dot) != ".MHA"))
  {
    return;
  }
  std::ifstream in(path, std::ios::binary);
  std::string line;
  bool compressed = false;
  while (std::getline(in, line))
  {
    if (line.rfind("CompressedData", 0) == 0 && line.find("True") != std::string::npos)
    {
      compressed = true;
    }
    if (line.rfind("ElementDataFile", 0) == 0)
    {
      if (line.find("LOCAL") == std::string::npos || compressed)
      {
        return; // data in another file, or compressed: the reader checks those itself
      }
      const auto headerBytes = static_cast<std::uint64_t>(in.tellg());
      if (fileBytes < headerBytes + pixelBytes)
      {
        throw UserError(path + ": truncated MetaImage: the header promises " + std::to_string(pixelBytes) +
                        " bytes of pixel data but the file holds " + std::to_string(fileBytes - headerBytes) +
                        "; copy the complete file again");
      }
      return;
    }
  }
}

} // namespace

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
  // GDCM (ITK's DICOM reader) warns "Missing dict entry" for every private element it has no dictionary
  // for, MedCrypt's own block (0099,10xx) included: noise that tells the user nothing to do.
  gdcm::Trace::WarningOff();
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
    // ITK appends "Reason: " and strerror(errno), which is stale here (the file was found and opened):
    // keep its first line only.
    std::string reason = error.GetDescription();
    reason = reason.substr(0, reason.find('\n'));
    throw UserError(path + ": cannot read the image header (" + reason +
                    "); the file is truncated, damaged or not in the format its name says");
  }
  CheckMetaImageIsComplete(path, io->GetImageSizeInBytes(), static_cast<std::uint64_t>(status.st_size));
  ImageFileInfo info;
  info.component = io->GetComponentType();
  info.dimension = io->GetNumberOfDimensions();
  info.components = io->GetNumberOfComponents();
  return info;
}

} // namespace medcrypt::cli

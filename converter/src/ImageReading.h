#ifndef medcrypt_ImageReading_h
#define medcrypt_ImageReading_h

#include "medcrypt/Error.h"

#include "itkImage.h"
#include "itkImageFileReader.h"
#include "itkImageIOBase.h"
#include "itkImageIOFactory.h"

#include <string>
#include <sys/stat.h>

namespace medcrypt::cli
{

/** What a file holds, read from its header without its pixels. */
struct ImageFileInfo
{
  itk::IOComponentEnum component = itk::IOComponentEnum::UNKNOWNCOMPONENTTYPE;
  unsigned int dimension = 0;
  unsigned int components = 0;
};

/** Reads the header of `path`; UserError when the file is missing or no ITK reader knows it. */
ImageFileInfo
ReadImageFileInfo(const std::string & path);

/** Reads the whole image as itk::Image<TPixel, VDimension> (no conversion of the stored type). */
template<typename TPixel, unsigned int VDimension>
typename itk::Image<TPixel, VDimension>::Pointer
ReadImage(const std::string & path)
{
  using ReaderType = itk::ImageFileReader<itk::Image<TPixel, VDimension>>;
  auto reader = ReaderType::New();
  reader->SetFileName(path);
  try
  {
    reader->Update();
  }
  catch (const itk::ExceptionObject & error)
  {
    throw UserError(path + ": cannot read the image (" + std::string(error.GetDescription()) +
                    "); is the file complete and in a format ITK reads (MHA, NRRD, NIfTI, PNG, DICOM)?");
  }
  return reader->GetOutput();
}

/** Calls visitor(image) with the image of `path` in its stored scalar type and dimension (2 or 3):
 * uint8, int8, uint16, int16, uint32, int32, float or double. Refuses other images clearly. */
template<typename TVisitor>
decltype(auto)
VisitScalarImage(const std::string & path, TVisitor && visitor)
{
  const ImageFileInfo info = ReadImageFileInfo(path);
  if (info.components != 1)
  {
    throw UserError(path + ": has " + std::to_string(info.components) +
                    " components per pixel; this command takes scalar (grey-level) images");
  }
  if (info.dimension != 2 && info.dimension != 3)
  {
    throw UserError(path + ": is " + std::to_string(info.dimension) + "-D; MedCrypt handles 2-D and 3-D images");
  }
#define MEDCRYPT_VISIT(COMPONENT, TYPE)                                                                                \
  case itk::IOComponentEnum::COMPONENT:                                                                                \
    return info.dimension == 2 ? visitor(ReadImage<TYPE, 2>(path)) : visitor(ReadImage<TYPE, 3>(path))
  switch (info.component)
  {
    MEDCRYPT_VISIT(UCHAR, unsigned char);
    MEDCRYPT_VISIT(CHAR, signed char);
    MEDCRYPT_VISIT(USHORT, unsigned short);
    MEDCRYPT_VISIT(SHORT, short);
    MEDCRYPT_VISIT(UINT, unsigned int);
    MEDCRYPT_VISIT(INT, int);
    MEDCRYPT_VISIT(FLOAT, float);
    MEDCRYPT_VISIT(DOUBLE, double);
    default:
      break;
  }
#undef MEDCRYPT_VISIT
  throw UserError(path + ": pixel type " + itk::ImageIOBase::GetComponentTypeAsString(info.component) +
                  " is not supported (use 8/16/32-bit integers, float or double)");
}

} // namespace medcrypt::cli

#endif

#ifndef medcryptCiphertextFiles_h
#define medcryptCiphertextFiles_h

// Writing and reading a ciphertext image together with its sidecar (`<file>.medcrypt`), so that the
// cipher header and the exact envelope travel with the pixels through formats that cannot hold them.

#include "medcrypt/CipherHeader.h"
#include "medcrypt/Error.h"
#include "medcryptCipherImage.h"
#include "medcryptSidecar.h"

#include "itkImageFileReader.h"
#include "itkImageFileWriter.h"
#include "itkImageIOFactory.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <sstream>
#include <string>
#include <system_error>

namespace medcrypt
{

/** Throws UserError for formats that keep header and pixels in two files (.mhd, .nhdr, .hdr, .img):
 * they cannot be written under a temporary name and renamed in one step. */
inline void
CheckSingleFileImageFormat(const std::string & path)
{
  std::string lower = path;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  for (const char * extension : { ".mhd", ".nhdr", ".hdr", ".img" })
  {
    const std::string e(extension);
    if (lower.size() >= e.size() && lower.compare(lower.size() - e.size(), e.size(), e) == 0)
    {
      throw UserError(path + ": " + e +
                      " keeps header and pixels in two files; write a single-file format (.mha, .nrrd, .nii, "
                      ".nii.gz, .png, .tif)");
    }
  }
}

/** Throws UserError unless ITK has a writer for the extension of `path` and the format keeps the image
 * in one file (CheckSingleFileImageFormat). */
inline void
CheckWritableImageFormat(const std::string & path)
{
  CheckSingleFileImageFormat(path);
  if (itk::ImageIOFactory::CreateImageIO(path.c_str(), itk::IOFileModeEnum::WriteMode).IsNull())
  {
    throw UserError(path + ": ITK has no writer for this file extension; use .mha, .nrrd, .nii, .nii.gz, .png or .tif");
  }
}

/** Writes `image` to `file` without the cipher metadata entries; `target` names the output in errors.
 * A partial `file` is removed when writing fails. */
template<typename TImage>
void
WriteImageFile(const TImage * image, const std::string & file, const std::string & target)
{
  auto copy = TImage::New();
  copy->Graft(image);
  itk::MetaDataDictionary dictionary = image->GetMetaDataDictionary();
  RemoveCipherMetaData(dictionary);
  copy->SetMetaDataDictionary(dictionary);
  auto writer = itk::ImageFileWriter<TImage>::New();
  writer->SetInput(copy);
  writer->SetFileName(file);
  try
  {
    writer->Update();
  }
  catch (const itk::ExceptionObject & failure)
  {
    std::error_code ignored;
    std::filesystem::remove(file, ignored);
    throw UserError("cannot write " + target + " (" + failure.GetDescription() +
                    "); is the format one ITK writes for this pixel type?");
  }
}

/** Writes `image` to `path` under a temporary name (same extension, so ITK picks the same format) and
 * renames it; the cipher metadata entries are left out of the file. Nothing appears under `path` when
 * writing fails. */
template<typename TImage>
void
WriteImageAtomically(const TImage * image, const std::string & path)
{
  CheckWritableImageFormat(path);
  CheckWritableDirectoryOf(path);
  const std::string temporary = TemporaryPathFor(path);
  WriteImageFile(image, temporary, path);
  std::error_code error;
  std::filesystem::rename(temporary, path, error);
  if (error)
  {
    std::filesystem::remove(temporary, error);
    throw UserError("cannot write " + path + " (renaming the temporary file failed)");
  }
}

/** Writes a NeuralEncryptImageFilter output: the image to `path` and its cipher header and envelope
 * (from its MetaDataDictionary) to `sidecarPath` (empty: SidecarPathFor(path)). Both go to temporary
 * names first; the sidecar is renamed into place, then the image; when that fails the sidecar is
 * removed again, so a failure leaves neither file. */
template<typename TCipherImage>
void
WriteCiphertextWithSidecar(const TCipherImage * image, const std::string & path, std::string sidecarPath = {})
{
  CipherSidecar sidecar;
  const auto & dictionary = image->GetMetaDataDictionary();
  auto header = ReadBytesMetaData(dictionary, CipherHeaderMetaDataKey);
  if (!header || header->empty())
  {
    throw UserError("cannot write " + path + ": the image carries no cipher header (" +
                    std::string(CipherHeaderMetaDataKey) + "); is it the output of NeuralEncryptImageFilter?");
  }
  sidecar.header = std::move(*header);
  if (auto envelope = ReadBytesMetaData(dictionary, EnvelopeMetaDataKey))
  {
    sidecar.envelope = std::move(*envelope);
  }
  CheckWritableImageFormat(path);
  CheckWritableDirectoryOf(path);
  if (sidecarPath.empty())
  {
    sidecarPath = SidecarPathFor(path);
  }
  CheckWritableDirectoryOf(sidecarPath);
  const std::string temporarySidecar = TemporaryPathFor(sidecarPath);
  const std::string temporaryImage = TemporaryPathFor(path);
  std::error_code ignored;
  WriteBytesFile(temporarySidecar, EncodeSidecar(sidecar));
  try
  {
    WriteImageFile(image, temporaryImage, path);
  }
  catch (...)
  {
    std::filesystem::remove(temporarySidecar, ignored);
    throw;
  }
  std::error_code error;
  std::filesystem::rename(temporarySidecar, sidecarPath, error);
  if (!error)
  {
    std::filesystem::rename(temporaryImage, path, error);
    if (error)
    {
      std::filesystem::remove(sidecarPath, ignored);
    }
  }
  if (error)
  {
    std::filesystem::remove(temporarySidecar, ignored);
    std::filesystem::remove(temporaryImage, ignored);
    throw UserError("cannot write " + path + " and " + sidecarPath + " (renaming the temporary files failed)");
  }
}

/** Checks that a sidecar belongs to a ciphertext image: its header is a MedCrypt header whose tile grid
 * gives the image's size and dimension, and (unless acceptChangedPixels) whose pixel digest is the
 * image's. Throws UserError naming `origin` (the sidecar file) otherwise. */
template<typename TCipherImage>
void
CheckSidecarFitsCiphertext(const TCipherImage * image,
                           const CipherSidecar & sidecar,
                           const std::string & origin,
                           bool acceptChangedPixels)
{
  constexpr unsigned int D = TCipherImage::ImageDimension;
  const ClearHeader clear = ReadClearPart(sidecar.header, origin);
  const auto actual = image->GetLargestPossibleRegion().GetSize();
  if (clear.geometry.Dimension() != D || CipherImageSize<D>(clear.tiles) != actual)
  {
    std::ostringstream message;
    message << origin << ": this sidecar belongs to another image: its cipher header describes a "
            << clear.geometry.Dimension() << "-D ciphertext of " << clear.tiles.columns * clear.tiles.tileSize << " x "
            << clear.tiles.rows * clear.tiles.tileSize;
    if (clear.geometry.Dimension() == 3)
    {
      message << " x " << clear.tiles.slices;
    }
    message << " samples, the ciphertext image is " << D << "-D of " << actual;
    throw UserError(message.str());
  }
  if (!acceptChangedPixels && CipherPixelDigest(image) != clear.pixelDigest)
  {
    throw UserError(origin +
                    ": this sidecar was not written for these ciphertext pixels (the pixel digest differs): it "
                    "belongs to another image, or the ciphertext was changed after encryption (cropped, noised, "
                    "re-saved). Only the network can decrypt changed pixels, approximately (medcrypt decrypt "
                    "--neural-only).");
  }
}

/** Reads a ciphertext image (unsigned 16-bit) and its sidecar (SidecarPathFor(path) unless
 * `sidecarPath` is given), checks that they belong together (CheckSidecarFitsCiphertext) and returns
 * the image with the header and envelope in its MetaDataDictionary, ready for NeuralDecryptImageFilter. */
template<typename TCipherImage>
typename TCipherImage::Pointer
ReadCiphertextWithSidecar(const std::string & path, bool acceptChangedPixels, std::string sidecarPath = {})
{
  if (sidecarPath.empty())
  {
    sidecarPath = SidecarPathFor(path);
  }
  const CipherSidecar sidecar = ReadSidecarFile(sidecarPath);
  auto reader = itk::ImageFileReader<TCipherImage>::New();
  reader->SetFileName(path);
  try
  {
    reader->Update();
  }
  catch (const itk::ExceptionObject & failure)
  {
    throw UserError(path + ": cannot read the ciphertext image (" + std::string(failure.GetDescription()) + ")");
  }
  typename TCipherImage::Pointer image = reader->GetOutput();
  image->DisconnectPipeline();
  CheckSidecarFitsCiphertext(image.GetPointer(), sidecar, sidecarPath, acceptChangedPixels);
  auto & dictionary = image->GetMetaDataDictionary();
  RemoveCipherMetaData(dictionary);
  WriteBytesMetaData(dictionary, CipherHeaderMetaDataKey, sidecar.header);
  if (!sidecar.envelope.empty())
  {
    WriteBytesMetaData(dictionary, EnvelopeMetaDataKey, sidecar.envelope);
  }
  return image;
}

} // namespace medcrypt

#endif

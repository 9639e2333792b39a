#include "ImageFileCipher.h"

#include "CipherCommandSupport.h"
#include "ImageReading.h"

#include "itkNeuralDecryptImageFilter.h"
#include "itkNeuralEncryptImageFilter.h"
#include "medcryptCipherImage.h"
#include "medcryptCiphertextFiles.h"

#include <type_traits>

namespace medcrypt::cli
{

namespace
{

/** Throws UserError when the sidecar path names the image `image` (the input or the output). */
void
RefuseSidecarOnImage(const std::string & sidecar, const std::string & image, const std::string & role)
{
  try
  {
    RefuseSameFile(image, sidecar);
  }
  catch (const UserError &)
  {
    throw UserError("the sidecar (" + sidecar + ") is the " + role + " image " + image +
                    ": name the sidecar differently (e.g. " + SidecarPathFor(image) + ")");
  }
}

/** Forwards the filter's ITK progress events to `progress` (when set). */
void
ObserveProgress(itk::ProcessObject & filter, const ProgressCallback & progress)
{
  if (progress)
  {
    itk::ProcessObject * observed = &filter;
    filter.AddObserver(itk::ProgressEvent(),
                       [observed, progress](const itk::EventObject &) { progress(observed->GetProgress()); });
  }
}

/** Decrypts into itk::Image<TPixel, D> (the stored type) and writes the output. */
template<typename TPixel, unsigned int D>
ImageFileDecryptionResult
DecryptTo(const ImageFileDecryption & request,
          const std::string & sidecar,
          const UserKey & key,
          const std::shared_ptr<const NeuralCipher> & model)
{
  using CipherImageType = itk::Image<unsigned short, D>;
  using OutputImageType = itk::Image<TPixel, D>;
  const auto cipher = ReadCiphertextWithSidecar<CipherImageType>(request.input, request.networkOnly, sidecar);
  auto filter = itk::NeuralDecryptImageFilter<CipherImageType, OutputImageType>::New();
  filter->SetInput(cipher);
  filter->SetUserKey(key);
  filter->SetModel(model);
  filter->SetUseEnvelope(!request.networkOnly);
  filter->SetRefinementIterations(request.refinementIterations);
  ObserveProgress(*filter, request.progress);
  try
  {
    RunFilter([&] { filter->Update(); });
  }
  catch (const UserError & error)
  {
    throw UserError("cannot decrypt " + request.input + " with " + sidecar + ": " + error.what());
  }
  WriteImageAtomically(filter->GetOutput(), request.output);
  ImageFileDecryptionResult result;
  result.restoredFromEnvelope = filter->GetRestoredFromEnvelope();
  result.pixelDigestMatches = filter->GetPixelDigestMatches();
  result.changedPools = filter->GetChangedPoolCount();
  return result;
}

} // namespace

ImageFileEncryptionResult
EncryptImageFile(const ImageFileEncryption & request)
{
  const std::string sidecar = request.sidecar.empty() ? SidecarPathFor(request.output) : request.sidecar;
  RefuseSameFile(request.input, request.output);
  RefuseSidecarOnImage(sidecar, request.input, "input");
  RefuseSidecarOnImage(sidecar, request.output, "output");
  CheckWritableImageFormat(request.output);
  CheckWritableDirectoryOf(request.output);
  CheckWritableDirectoryOf(sidecar);
  const UserKey key = request.loadKey();
  const auto model = request.loadModel();

  ImageFileEncryptionResult result;
  result.sidecar = sidecar;
  VisitScalarImage(request.input,
                   [&](auto image)
                   {
                     using ImageType = std::remove_reference_t<decltype(*image)>;
                     auto filter = itk::NeuralEncryptImageFilter<ImageType>::New();
                     filter->SetInput(image);
                     filter->SetModel(model);
                     filter->SetUserKey(key);
                     filter->SetKeySchedule(request.schedule);
                     filter->SetExactEnvelope(request.exactEnvelope);
                     filter->SetRecipientCertificates(request.recipients);
                     ObserveProgress(*filter, request.progress);
                     RunFilter([&] { filter->Update(); });
                     WriteCiphertextWithSidecar(filter->GetOutput(), request.output, sidecar);
                     result.clear = ReadClearPart(filter->GetSealedHeader(), "cipher header");
                     result.headerBytes = filter->GetSealedHeader().size();
                     result.envelopeBytes = request.exactEnvelope ? filter->GetEnvelope().size() : 0;
                   });
  return result;
}

ImageFileDecryptionResult
DecryptImageFile(const ImageFileDecryption & request)
{
  const std::string sidecarPath = request.sidecar.empty() ? SidecarPathFor(request.input) : request.sidecar;
  RefuseSameFile(request.input, request.output);
  RefuseSidecarOnImage(sidecarPath, request.output, "output");
  CheckWritableImageFormat(request.output);
  CheckWritableDirectoryOf(request.output);

  const CipherSidecar sidecar = ReadSidecarFile(sidecarPath);
  const ClearHeader clear = ReadClearPart(sidecar.header, sidecarPath);
  const ImageFileInfo info = ReadImageFileInfo(request.input);
  if (info.component != itk::IOComponentEnum::USHORT || info.components != 1 ||
      info.dimension != clear.geometry.Dimension())
  {
    throw UserError(request.input + ": is not the ciphertext of " + sidecarPath +
                    " (a MedCrypt ciphertext is a scalar unsigned 16-bit " +
                    std::to_string(clear.geometry.Dimension()) + "-D image)");
  }
  const UserKey key = request.loadKey();
  std::shared_ptr<const NeuralCipher> model;
  if (request.networkOnly || sidecar.envelope.empty())
  {
    model = request.loadModel();
  }
  // The ITK warning about changed pixels is replaced by the callers' own message.
  itk::Object::GlobalWarningDisplayOff();
  ImageFileDecryptionResult result;
  VisitSampleType(clear.pixelType,
                  [&](auto tag)
                  {
                    using PixelType = typename decltype(tag)::Type;
                    result = clear.geometry.Dimension() == 2
                               ? DecryptTo<PixelType, 2>(request, sidecarPath, key, model)
                               : DecryptTo<PixelType, 3>(request, sidecarPath, key, model);
                  });
  return result;
}

std::string
ChangedCiphertextWarning(const std::string & program,
                         const ImageFileDecryption & request,
                         const ImageFileDecryptionResult & result)
{
  if (result.pixelDigestMatches)
  {
    return {};
  }
  std::string warning = program + ": warning: the pixels of " + request.input +
                        " differ from those that were encrypted (cropped, noised or re-saved); the network's "
                        "decryption of changed pixels is approximate";
  if (result.changedPools > 0 && !result.restoredFromEnvelope)
  {
    warning += " (" + std::to_string(result.changedPools) +
               " changed blocks of 16 x 16 pixels; the decryption is refined where the others are intact)";
  }
  return warning;
}

std::string
DecryptionSummary(const ImageFileDecryption & request, const ImageFileDecryptionResult & result)
{
  return "decrypted " + request.input + " -> " + request.output + " (" +
         (result.restoredFromEnvelope ? "bit-exact, from the exact envelope"
                                      : "by the network: an approximation of the original") +
         ")";
}

} // namespace medcrypt::cli

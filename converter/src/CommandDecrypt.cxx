// medcrypt decrypt: ciphertext image + sidecar -> the original image (bit-exact from the exact
// envelope, or approximately with the network).
#include "CipherCommandSupport.h"
#include "Commands.h"
#include "ImageReading.h"

#include "itkNeuralDecryptImageFilter.h"
#include "medcrypt/CipherHeader.h"
#include "medcryptCiphertextFiles.h"
#include "tree/TreeDecryption.h"
#include "tree/TreeOptions.h"

#include <filesystem>
#include <iostream>

namespace medcrypt::cli
{

namespace
{

struct DecryptRequest
{
  std::string input;
  std::string output;
  std::string sidecar;
  bool neuralOnly = false;
  UserKey key;
  std::shared_ptr<const NeuralCipher> model; // null when the envelope restores
};

/** Decrypts into itk::Image<TPixel, D> (the stored type) and writes OUT. */
template<typename TPixel, unsigned int D>
void
DecryptTo(const DecryptRequest & request)
{
  using CipherImageType = itk::Image<unsigned short, D>;
  using OutputImageType = itk::Image<TPixel, D>;
  const auto cipher = ReadCiphertextWithSidecar<CipherImageType>(request.input, request.neuralOnly, request.sidecar);
  auto filter = itk::NeuralDecryptImageFilter<CipherImageType, OutputImageType>::New();
  filter->SetInput(cipher);
  filter->SetUserKey(request.key);
  filter->SetModel(request.model);
  filter->SetUseEnvelope(!request.neuralOnly);
  RunFilter([&] { filter->Update(); });
  if (!filter->GetPixelDigestMatches())
  {
    std::cerr << "medcrypt decrypt: warning: the pixels of " << request.input
              << " differ from those that were encrypted (cropped, noised or re-saved); the network's decryption "
                 "of changed pixels is approximate"
              << std::endl;
  }
  WriteImageAtomically(filter->GetOutput(), request.output);
  std::cout << "decrypted " << request.input << " -> " << request.output << " ("
            << (filter->GetRestoredFromEnvelope() ? "bit-exact, from the exact envelope"
                                                  : "by the network: an approximation of the original")
            << ")" << std::endl;
}

} // namespace

int
RunDecrypt(const Arguments & arguments)
{
  CommandSpec spec;
  spec.name = "decrypt";
  spec.synopsis =
    "medcrypt decrypt (--key KEYFILE | --key-env VAR) [--model FILE] [--neural-only] [--sidecar FILE] IN OUT\n"
    "       medcrypt decrypt (--key KEYFILE | --key-env VAR | --private-key KEY.pem --certificate CERT.pem) [--jobs N] "
    "[--overwrite] [--report FILE.json] IN_DIR OUT_DIR";
  spec.summary =
    "Decrypts the ciphertext image IN with its sidecar IN.medcrypt into OUT, in the original pixel type\n"
    "and geometry. With the exact envelope in the sidecar the result is bit-exact and no model is needed;\n"
    "otherwise, or with --neural-only, the network decrypts (approximately) with the model that encrypted.\n"
    "A wrong key or a changed sidecar is refused and nothing is written. A sidecar whose pixel digest\n"
    "differs from IN's pixels is refused, unless --neural-only asks the network to decrypt the changed\n"
    "pixels (a warning says so).\n\n" +
    tree::TreeHelpText("restored");
  AddKeyOptions(spec);
  AddModelOption(spec);
  spec.options.add_options()(
    "neural-only", po::bool_switch(), "decrypt with the network even when the sidecar holds the exact envelope")(
    "sidecar", po::value<std::string>()->value_name("FILE"), "the sidecar (default: IN.medcrypt)")(
    "in", po::value<std::string>()->required(), "ciphertext image")(
    "out", po::value<std::string>()->required(), "decrypted image");
  tree::AddTreeOptions(spec);
  tree::AddTreeDecryptionOptions(spec);
  spec.positional.add("in", 1).add("out", 1);
  const auto values = Parse(spec, arguments);

  DecryptRequest request;
  request.input = values["in"].as<std::string>();
  request.output = values["out"].as<std::string>();
  request.sidecar = values.count("sidecar") ? values["sidecar"].as<std::string>() : SidecarPathFor(request.input);
  request.neuralOnly = values["neural-only"].as<bool>();
  if (std::filesystem::is_directory(request.input))
  {
    return tree::RunTreeDecryption(values);
  }
  tree::RefuseTreeOnlyOptions(values, { "jobs", "overwrite", "report", "private-key", "certificate" });
  RefuseSameFile(request.input, request.output);
  CheckWritableImageFormat(request.output);
  CheckWritableDirectoryOf(request.output);

  const CipherSidecar sidecar = ReadSidecarFile(request.sidecar);
  const ClearHeader clear = ReadClearPart(sidecar.header, request.sidecar);
  const ImageFileInfo info = ReadImageFileInfo(request.input);
  if (info.component != itk::IOComponentEnum::USHORT || info.components != 1 ||
      info.dimension != clear.geometry.Dimension())
  {
    throw UserError(request.input + ": is not the ciphertext of " + request.sidecar +
                    " (a MedCrypt ciphertext is a scalar unsigned 16-bit " +
                    std::to_string(clear.geometry.Dimension()) + "-D image)");
  }
  request.key = LoadKey(values);
  if (request.neuralOnly || sidecar.envelope.empty())
  {
    request.model = LoadModelOption(values);
  }
  // The ITK warning about changed pixels is replaced by the message above.
  itk::Object::GlobalWarningDisplayOff();
  VisitSampleType(clear.pixelType,
                  [&](auto tag)
                  {
                    using PixelType = typename decltype(tag)::Type;
                    if (clear.geometry.Dimension() == 2)
                    {
                      DecryptTo<PixelType, 2>(request);
                    }
                    else
                    {
                      DecryptTo<PixelType, 3>(request);
                    }
                  });
  return 0;
}

} // namespace medcrypt::cli

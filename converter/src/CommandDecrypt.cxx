// medcrypt decrypt: ciphertext image + sidecar -> the original image (bit-exact from the exact
// envelope, or approximately with the network).
#include "CipherCommandSupport.h"
#include "Commands.h"
#include "ImageFileCipher.h"

#include "medcryptSidecar.h"
#include "tree/TreeDecryption.h"
#include "tree/TreeOptions.h"

#include <filesystem>
#include <iostream>

namespace medcrypt::cli
{

int
RunDecrypt(const Arguments & arguments)
{
  CommandSpec spec;
  spec.name = "decrypt";
  spec.synopsis =
    "medcrypt decrypt (--key KEYFILE | --key-env VAR) [--model FILE] [--neural-only] [--refinement-iterations N] "
    "[--sidecar FILE] IN OUT\n"
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
  AddRefinementOption(spec);
  spec.options.add_options()(
    "neural-only", po::bool_switch(), "decrypt with the network even when the sidecar holds the exact envelope")(
    "sidecar", po::value<std::string>()->value_name("FILE"), "the sidecar (default: IN.medcrypt)")(
    "in", po::value<std::string>()->required(), "ciphertext image")(
    "out", po::value<std::string>()->required(), "decrypted image");
  tree::AddTreeOptions(spec);
  tree::AddTreeDecryptionOptions(spec);
  spec.positional.add("in", 1).add("out", 1);
  const auto values = Parse(spec, arguments);

  ImageFileDecryption request;
  request.input = values["in"].as<std::string>();
  request.output = values["out"].as<std::string>();
  request.sidecar = values.count("sidecar") ? values["sidecar"].as<std::string>() : SidecarPathFor(request.input);
  request.networkOnly = values["neural-only"].as<bool>();
  request.refinementIterations = RefinementIterationsOption(values);
  if (std::filesystem::is_directory(request.input))
  {
    return tree::RunTreeDecryption(values);
  }
  tree::RefuseTreeOnlyOptions(values,
                              { "jobs", "overwrite", "report", "private-key", "certificate", "fail-on-non-dicom" });
  request.loadKey = [&values] { return LoadKey(values); };
  request.loadModel = [&values] { return LoadModelOption(values); };
  const ImageFileDecryptionResult result = DecryptImageFile(request);
  const std::string warning = ChangedCiphertextWarning("medcrypt decrypt", request, result);
  if (!warning.empty())
  {
    std::cerr << warning << std::endl;
  }
  std::cout << DecryptionSummary(request, result) << std::endl;
  return 0;
}

} // namespace medcrypt::cli

// medcrypt encrypt: one image or volume (MHA, NRRD, NIfTI, PNG, ...) -> ciphertext image + sidecar.
#include "CipherCommandSupport.h"
#include "Commands.h"
#include "ImageFileCipher.h"

#include "medcrypt/CipherHeader.h"
#include "tree/TreeEncryption.h"
#include "tree/TreeOptions.h"

#include <filesystem>
#include <iostream>

namespace medcrypt::cli
{

int
RunEncrypt(const Arguments & arguments)
{
  CommandSpec spec;
  spec.name = "encrypt";
  spec.synopsis = "medcrypt encrypt (--key KEYFILE | --key-env VAR) [--model FILE] [--schedule hardened|paper] "
                  "[--neural-only] [--recipient CERT ...] [--jobs N] [--verify] [--overwrite] [--report FILE.json] "
                  "IN OUT | IN_DIR OUT_DIR";
  spec.summary =
    "Encrypts the 2-D image or 3-D volume IN (any scalar pixel type; MHA, NRRD, NIfTI, PNG, ...) with the\n"
    "cipher network. OUT receives the ciphertext (unsigned 16-bit, the image padded to whole tiles) and\n"
    "OUT.medcrypt the sidecar: the sealed cipher header and, unless --neural-only, the exact envelope\n"
    "(the original samples, sealed for the key and each --recipient certificate), so that decryption is\n"
    "bit-exact. Both are written under temporary names and renamed: a failure leaves neither.\n\n" +
    tree::TreeHelpText("encrypted");
  AddKeyOptions(spec);
  AddModelOption(spec);
  spec.options.add_options()("schedule",
                             po::value<std::string>()->default_value("hardened"),
                             "feature-key schedule: hardened (default) or paper")(
    "neural-only", po::bool_switch(), "leave out the exact envelope: only the network decrypts (approximately)")(
    "recipient",
    po::value<std::vector<std::string>>()->composing()->value_name("CERT"),
    "PEM X.509 certificate whose private key may also open the exact envelope (repeatable)")(
    "in", po::value<std::string>()->required(), "input image")(
    "out", po::value<std::string>()->required(), "ciphertext image (its sidecar is OUT.medcrypt)");
  tree::AddTreeOptions(spec);
  tree::AddTreeEncryptionOptions(spec);
  spec.positional.add("in", 1).add("out", 1);
  const auto values = Parse(spec, arguments);

  const std::string input = values["in"].as<std::string>();
  const std::string output = values["out"].as<std::string>();
  const bool neuralOnly = values["neural-only"].as<bool>();
  const auto recipients =
    values.count("recipient") ? values["recipient"].as<std::vector<std::string>>() : std::vector<std::string>{};
  if (neuralOnly && !recipients.empty())
  {
    throw UserError("--recipient seals the exact envelope, which --neural-only leaves out: give one or the other");
  }
  if (std::filesystem::is_directory(input))
  {
    return tree::RunTreeEncryption(values);
  }
  tree::RefuseTreeOnlyOptions(values, { "jobs", "verify", "overwrite", "report", "fail-on-non-dicom" });
  ImageFileEncryption request;
  request.input = input;
  request.output = output;
  request.schedule = KeyScheduleFromString(values["schedule"].as<std::string>());
  request.exactEnvelope = !neuralOnly;
  request.recipients = recipients;
  request.loadKey = [&values] { return LoadKey(values); };
  request.loadModel = [&values] { return LoadModelOption(values); };
  const ImageFileEncryptionResult result = EncryptImageFile(request);

  const ClearHeader & clear = result.clear;
  std::cout << "encrypted " << input << " (" << clear.geometry.size[0] << " x " << clear.geometry.size[1];
  if (clear.geometry.Dimension() == 3)
  {
    std::cout << " x " << clear.geometry.size[2];
  }
  std::cout << " " << ToString(clear.pixelType) << ", " << clear.tiles.Count() << " tiles of " << clear.tiles.tileSize
            << ") -> " << output << " + " << result.sidecar << " (header " << result.headerBytes << " bytes, "
            << (neuralOnly ? std::string("no exact envelope")
                           : "exact envelope " + std::to_string(result.envelopeBytes) + " bytes")
            << ")" << std::endl;
  return 0;
}

} // namespace medcrypt::cli

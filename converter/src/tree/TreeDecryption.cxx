#include "TreeDecryption.h"

#include "DicomImageCipher.h"
#include "NetworkOnlyRestore.h"
#include "TreeConversion.h"
#include "TreeOptions.h"

#include "AtomicFileWriter.h"
#include "DicomCodecs.h"
#include "DicomFileIO.h"
#include "MedcryptPrivateBlock.h"

#include "../CipherCommandSupport.h"

#include "medcrypt/Error.h"

#include <fstream>
#include <mutex>

namespace medcrypt::cli::tree
{

namespace fs = std::filesystem;

namespace
{

/** What decrypt does with one file of the tree. */
FileOutcome
DecryptEntry(const dicom::DicomTreeEntry & entry,
             const fs::path & inputFile,
             const fs::path & outputFile,
             const EnvelopeOpener & opener,
             const NetworkRestoreContext * network)
{
  if (auto handled = HandleEntryWithoutImage(entry, inputFile, outputFile, "DICOMDIR copied unchanged", false))
  {
    return *handled;
  }
  FileOutcome outcome;
  const std::string origin = inputFile.string();
  auto encrypted = dicom::LoadDicomFile(inputFile);
  const auto parts = dicom::ReadEncryptedParts(*encrypted->getDataset(), origin);
  if (!parts)
  {
    CopyFileAtomically(inputFile, outputFile);
    outcome.status = FileStatus::Copied;
    outcome.message = "not encrypted by medcrypt (no MEDCRYPT block): copied unchanged";
    return outcome;
  }
  if (!parts->hasEnvelope)
  {
    return RestoreWithoutEnvelope(*encrypted, *parts, outputFile, network, origin);
  }
  const auto restored = RestoreDicomImage(*encrypted, opener, origin);
  dicom::AtomicFileWriter::Write(outputFile,
                                 [&](const fs::path & temporary)
                                 { dicom::SaveDicomFile(*restored.file, restored.transferSyntax, temporary); });
  outcome.status = FileStatus::Converted;
  return outcome;
}

} // namespace

void
AddTreeDecryptionOptions(CommandSpec & spec)
{
  spec.options.add_options()("private-key",
                             po::value<std::string>()->value_name("KEY.pem"),
                             "directory trees: open the exact envelopes as the recipient of --certificate with this "
                             "private key (PEM, no passphrase) instead of the user key")(
    "certificate",
    po::value<std::string>()->value_name("CERT.pem"),
    "directory trees: the recipient certificate (given to encrypt with --recipient) that belongs to --private-key");
}

int
RunTreeDecryption(const po::variables_map & values)
{
  const std::string input = values["in"].as<std::string>();
  const std::string output = values["out"].as<std::string>();
  const TreeRunSettings settings = TreeSettingsFrom(values, input, output);
  if (values["neural-only"].as<bool>())
  {
    throw UserError("--neural-only is not available for DICOM trees: they are restored from the exact envelope");
  }
  if (values.count("sidecar"))
  {
    throw UserError("--sidecar applies to single image files: DICOM files carry their header and envelope");
  }
  const bool withPrivateKey = values.count("private-key") > 0;
  if (withPrivateKey != (values.count("certificate") > 0))
  {
    throw UserError("give --private-key and --certificate together (the recipient's key and its certificate)");
  }
  const bool withUserKey = values.count("key") > 0 || values.count("key-env") > 0;
  if (withPrivateKey && withUserKey)
  {
    throw UserError("give either the user key (--key/--key-env) or --private-key with --certificate, not both");
  }
  std::optional<EnvelopeOpener> opener;
  // Files without envelope need the user key and the model (loaded once, on first use).
  std::optional<NetworkRestoreContext> network;
  std::once_flag modelLoaded;
  std::shared_ptr<const NeuralCipher> model;
  if (withPrivateKey)
  {
    for (const char * option : { "private-key", "certificate" })
    {
      if (!std::ifstream(values[option].as<std::string>()))
      {
        throw UserError(std::string("--") + option + " " + values[option].as<std::string>() +
                        ": cannot read the file (give a PEM file)");
      }
    }
    opener =
      EnvelopeOpener::WithPrivateKey(values["certificate"].as<std::string>(), values["private-key"].as<std::string>());
  }
  else
  {
    const UserKey key = LoadKey(values);
    opener = EnvelopeOpener::WithKey(key);
    network = NetworkRestoreContext{ key,
                                     [&]
                                     {
                                       std::call_once(modelLoaded, [&] { model = LoadModelOption(values); });
                                       return model;
                                     },
                                     RefinementIterationsOption(values) };
  }
  dicom::QuietDicomToolkitLogging();
  return RunTreeConversion(
    "decrypt",
    "restored",
    settings,
    [&](const dicom::DicomTreeEntry & entry, const fs::path & inputFile, const fs::path & outputFile)
    { return DecryptEntry(entry, inputFile, outputFile, *opener, network ? &*network : nullptr); });
}

} // namespace medcrypt::cli::tree

#include "TreeEncryption.h"

#include "DicomImageCipher.h"
#include "TreeConversion.h"
#include "TreeOptions.h"

#include "AtomicFileWriter.h"
#include "DicomCodecs.h"
#include "DicomFileIO.h"
#include "MedcryptPrivateBlock.h"

#include "../CipherCommandSupport.h"

#include "medcrypt/Error.h"

#include <fstream>

namespace medcrypt::cli::tree
{

namespace fs = std::filesystem;

namespace
{

/** What encrypt does with one file of the tree. */
FileOutcome
EncryptEntry(const dicom::DicomTreeEntry & entry,
             const fs::path & inputFile,
             const fs::path & outputFile,
             const DicomEncryptionContext & context,
             bool verify)
{
  if (auto handled =
        HandleEntryWithoutImage(entry,
                                inputFile,
                                outputFile,
                                "DICOMDIR copied unchanged: its records name the original UIDs; rebuild it for the "
                                "encrypted tree if needed",
                                true))
  {
    return *handled;
  }
  FileOutcome outcome;
  const std::string origin = inputFile.string();
  auto original = dicom::LoadDicomFile(inputFile);
  if (dicom::ReadEncryptedParts(*original->getDataset(), origin))
  {
    CopyFileAtomically(inputFile, outputFile);
    outcome.status = FileStatus::Copied;
    outcome.message = "encrypted by medcrypt already: copied unchanged";
    return outcome;
  }
  const auto encrypted = EncryptDicomImage(*original, context, origin);
  dicom::AtomicFileWriter::Write(outputFile,
                                 [&](const fs::path & temporary)
                                 {
                                   dicom::SaveDicomFile(*encrypted, EXS_LittleEndianExplicit, temporary);
                                   if (verify)
                                   {
                                     VerifyEncryptedFile(temporary, *original, context.key, origin);
                                   }
                                 });
  outcome.status = FileStatus::Converted;
  outcome.message = verify ? "verified: restores to the input exactly" : "";
  return outcome;
}

} // namespace

void
AddTreeEncryptionOptions(CommandSpec & spec)
{
  spec.options.add_options()(
    "verify", po::bool_switch(), "directory trees: restore each output in memory and compare it with its input");
}

int
RunTreeEncryption(const po::variables_map & values)
{
  const std::string input = values["in"].as<std::string>();
  const std::string output = values["out"].as<std::string>();
  TreeRunSettings settings = TreeSettingsFrom(values, input, output);
  settings.verify = values["verify"].as<bool>();
  if (values["neural-only"].as<bool>())
  {
    throw UserError("--neural-only is not available for DICOM trees: their decryption restores from the exact "
                    "envelope");
  }
  const auto recipients =
    values.count("recipient") ? values["recipient"].as<std::vector<std::string>>() : std::vector<std::string>{};
  for (const auto & certificate : recipients)
  {
    if (!std::ifstream(certificate))
    {
      throw UserError("--recipient " + certificate + ": cannot read the certificate (give a PEM X.509 file)");
    }
  }
  const UserKey key = LoadKey(values);
  const DicomEncryptionContext context(
    key, LoadModelOption(values), KeyScheduleFromString(values["schedule"].as<std::string>()), recipients);
  dicom::QuietDicomToolkitLogging();
  return RunTreeConversion(
    "encrypt",
    "encrypted",
    settings,
    [&](const dicom::DicomTreeEntry & entry, const fs::path & inputFile, const fs::path & outputFile)
    { return EncryptEntry(entry, inputFile, outputFile, context, settings.verify); });
}

} // namespace medcrypt::cli::tree

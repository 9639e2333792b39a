// MedCryptEncrypt: the 3D Slicer CLI module that encrypts a volume (MedCryptEncrypt.xml declares its
// parameters; `medcrypt encrypt IN OUT` does the same from the shell).
#include "ImageFileCipher.h"
#include "MedCryptEncryptXml.h"
#include "ModuleSupport.h"
#include "SlicerProgress.h"

#include "medcrypt/FeatureKeys.h"

#include <iostream>

int
main(int argc, char * argv[])
{
  using namespace medcrypt;
  return slicer::RunSlicerCliModule(
    slicer::ModuleXml,
    argc,
    argv,
    [](const slicer::SlicerCliValues & values)
    {
      cli::ImageFileEncryption request;
      request.input = values.String("inputVolume");
      request.output = values.String("outputVolume");
      request.sidecar = slicer::RequiredFile(
        values,
        "cipherFile",
        "choose where the cipher file (sealed header and exact envelope) goes; decryption needs it");
      request.schedule = KeyScheduleFromString(values.String("schedule"));
      request.exactEnvelope = !values.Flag("networkOnly");
      request.loadKey = [&values] { return slicer::LoadKeyFileParameter(values); };
      request.loadModel = [&values] { return slicer::LoadModelParameter(values); };
      slicer::SlicerProgressReporter progress(std::cout, "MedCryptEncrypt", "encrypting " + request.input);
      request.progress = [&progress](double fraction) { progress.Report(fraction); };
      const cli::ImageFileEncryptionResult result = cli::EncryptImageFile(request);
      progress.Finish();
      std::cout << "encrypted " << request.input << " (" << result.clear.tiles.Count() << " tiles of "
                << result.clear.tiles.tileSize << ") -> " << request.output << " + " << result.sidecar << " ("
                << (request.exactEnvelope ? "with the exact envelope" : "no exact envelope: network decryption only")
                << ")" << std::endl;
      return slicer::SlicerCliReturnValues{};
    });
}

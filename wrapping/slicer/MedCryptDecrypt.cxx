// MedCryptDecrypt: the 3D Slicer CLI module that decrypts a ciphertext volume with its cipher file
// (MedCryptDecrypt.xml declares its parameters; `medcrypt decrypt --sidecar FILE IN OUT` does the same
// from the shell).
#include "ImageFileCipher.h"
#include "MedCryptDecryptXml.h"
#include "ModuleSupport.h"
#include "SlicerProgress.h"

#include <iostream>
#include <string>

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
      cli::ImageFileDecryption request;
      request.input = values.String("inputVolume");
      request.output = values.String("outputVolume");
      request.sidecar = slicer::RequiredFile(
        values, "cipherFile", "choose the cipher file that MedCrypt Encrypt wrote for this ciphertext volume");
      request.networkOnly = values.Flag("networkOnly");
      request.loadKey = [&values] { return slicer::LoadKeyFileParameter(values); };
      request.loadModel = [&values] { return slicer::LoadModelParameter(values); };
      slicer::SlicerProgressReporter progress(std::cout, "MedCryptDecrypt", "decrypting " + request.input);
      request.progress = [&progress](double fraction) { progress.Report(fraction); };
      const cli::ImageFileDecryptionResult result = cli::DecryptImageFile(request);
      progress.Finish();
      const std::string warning = cli::ChangedCiphertextWarning("MedCryptDecrypt", request, result);
      if (!warning.empty())
      {
        std::cerr << warning << std::endl;
      }
      std::cout << cli::DecryptionSummary(request, result) << std::endl;
      return slicer::SlicerCliReturnValues{};
    });
}

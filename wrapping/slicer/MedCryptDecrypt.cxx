// MedCryptDecrypt: the 3D Slicer CLI module that decrypts a ciphertext volume with its cipher file
// (MedCryptDecrypt.xml declares its parameters; `medcrypt decrypt --sidecar FILE IN OUT` does the same
// from the shell).
#include "ImageFileCipher.h"
#include "MedCryptDecryptXml.h"
#include "ModuleSupport.h"
#include "SlicerProgress.h"

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
      if (!result.pixelDigestMatches)
      {
        std::cerr << "MedCryptDecrypt: warning: the ciphertext volume differs from the one that was encrypted "
                     "(cropped, noised or re-saved); the network's decryption of changed samples is approximate";
        if (result.changedPools > 0 && !result.restoredFromEnvelope)
        {
          std::cerr << " (" << result.changedPools
                    << " changed blocks of 16 x 16 pixels; the decryption is refined where the others are intact)";
        }
        std::cerr << std::endl;
      }
      std::cout << "decrypted " << request.input << " -> " << request.output << " ("
                << (result.restoredFromEnvelope ? "bit-exact, from the exact envelope"
                                                : "by the network: an approximation of the original")
                << ")" << std::endl;
      return slicer::SlicerCliReturnValues{};
    });
}

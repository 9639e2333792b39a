// Example: encryption as one step of an ordinary ITK pipeline.
//
// Reads an image, smooths it, encrypts it with the cipher network and writes the ciphertext with its
// sidecar (CIPHER and CIPHER.medcrypt); then reads them back, decrypts (bit-exact, from the exact
// envelope) and writes the result.
//
//   EncryptionPipeline INPUT MODEL KEYFILE CIPHER DECRYPTED
// (make a key with `medcrypt keygen --out KEYFILE`; MODEL is a model file, e.g. the shipped default)
#include "itkImageFileReader.h"
#include "itkNeuralDecryptImageFilter.h"
#include "itkNeuralEncryptImageFilter.h"
#include "itkSmoothingRecursiveGaussianImageFilter.h"
#include "medcrypt/Error.h"
#include "medcrypt/NeuralCipher.h"
#include "medcrypt/UserKey.h"
#include "medcryptCiphertextFiles.h"

#include <cstdlib>
#include <iostream>

using ImageType = itk::Image<float, 2>;
using CipherImageType = itk::Image<unsigned short, 2>;

int
main(int argc, char * argv[])
{
  if (argc != 6)
  {
    std::cerr << "usage: " << argv[0] << " INPUT MODEL KEYFILE CIPHER DECRYPTED\n";
    return EXIT_FAILURE;
  }
  try
  {
    const auto model = medcrypt::NeuralCipher::Load(argv[2]); // load once, share between filters
    const auto key = medcrypt::LoadUserKeyFile(argv[3]);

    // Read, smooth, encrypt, write ciphertext + sidecar.
    auto smoother = itk::SmoothingRecursiveGaussianImageFilter<ImageType, ImageType>::New();
    smoother->SetInput(itk::ReadImage<ImageType>(argv[1]));
    smoother->SetSigma(1.0);
    auto encrypt = itk::NeuralEncryptImageFilter<ImageType, CipherImageType>::New();
    encrypt->SetInput(smoother->GetOutput());
    encrypt->SetModel(model);
    encrypt->SetUserKey(key);
    encrypt->Update();
    medcrypt::WriteCiphertextWithSidecar(encrypt->GetOutput(), argv[4]);

    // Read ciphertext + sidecar, decrypt, write.
    auto decrypt = itk::NeuralDecryptImageFilter<CipherImageType, ImageType>::New();
    decrypt->SetInput(medcrypt::ReadCiphertextWithSidecar<CipherImageType>(argv[4], false));
    decrypt->SetUserKey(key);
    decrypt->SetModel(model);
    decrypt->Update();
    medcrypt::WriteImageAtomically(decrypt->GetOutput(), argv[5]);

    std::cout << "encrypted " << argv[1] << " (smoothed) -> " << argv[4] << " + " << medcrypt::SidecarPathFor(argv[4])
              << "; decrypted -> " << argv[5] << (decrypt->GetRestoredFromEnvelope() ? " (bit-exact)" : " (network)")
              << "\n";
  }
  catch (const itk::ExceptionObject & error)
  {
    std::cerr << "error: " << error.GetDescription() << "\n";
    return EXIT_FAILURE;
  }
  catch (const medcrypt::UserError & error)
  {
    std::cerr << "error: " << error.what() << "\n";
    return EXIT_FAILURE;
  }
  return EXIT_SUCCESS;
}

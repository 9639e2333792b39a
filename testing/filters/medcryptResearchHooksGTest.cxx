// The research hooks of the neural cipher filters used by `medcrypt evaluate`:
// NeuralEncryptImageFilter::SetInitialValueOffsets (key sensitivity, paper section IV.C) and
// NeuralDecryptImageFilter::SetFeatureKeyUserKey (wrong-key decryption), with an untrained tiny model.
#include "TinyModelFile.h"

#include "itkNeuralDecryptImageFilter.h"
#include "itkNeuralEncryptImageFilter.h"
#include "medcryptSheppLoganPhantom.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <sstream>

namespace
{

using medcrypt::NeuralCipher;
using medcrypt::UserKey;
using PlainImageType = itk::Image<short, 2>;
using CipherImageType = itk::Image<unsigned short, 2>;
using EncryptFilterType = itk::NeuralEncryptImageFilter<PlainImageType>;
using DecryptFilterType = itk::NeuralDecryptImageFilter<CipherImageType, PlainImageType>;

/** The tiny model (32 x 32 tiles), written to a scratch file and loaded once. */
std::shared_ptr<const NeuralCipher>
TinyModel()
{
  static const auto model = []
  {
    char pattern[] = "/tmp/medcrypt-hooks-XXXXXX";
    const std::string directory = ::mkdtemp(pattern);
    const std::string path = directory + "/tiny.mcmodel";
    medcrypt::testing::WriteTinyModelFile(path, 21);
    auto loaded = NeuralCipher::Load(path);
    std::filesystem::remove_all(directory);
    return loaded;
  }();
  return model;
}

UserKey
TestKey(std::uint64_t salt = 0)
{
  UserKey key;
  key.b = { 0x1111222233334444ULL ^ salt, 0x5555666677778888ULL, 0x99990000aaaabbbbULL, 0xccccddddeeeeffffULL };
  return key;
}

/** One 32 x 32 int16 phantom: exactly one tile of the tiny model. */
PlainImageType::Pointer
Phantom()
{
  medcrypt::PhantomOptions options;
  options.size = 32;
  return medcrypt::MakeSheppLoganPhantom<PlainImageType>(options);
}

EncryptFilterType::Pointer
Encrypter(const PlainImageType * image)
{
  auto filter = EncryptFilterType::New();
  filter->SetInput(image);
  filter->SetModel(TinyModel());
  filter->SetUserKey(TestKey());
  return filter;
}

/** The fraction of pixels that differ between two images of the same size. */
template<typename TImage>
double
ChangedFraction(const TImage * a, const TImage * b)
{
  const std::size_t count = a->GetBufferedRegion().GetNumberOfPixels();
  std::size_t changed = 0;
  for (std::size_t i = 0; i < count; ++i)
  {
    changed += a->GetBufferPointer()[i] != b->GetBufferPointer()[i];
  }
  return static_cast<double>(changed) / static_cast<double>(count);
}

/** The ciphertext of the phantom under `offsets` (the format version encryption writes, or version 1
 * where `permute` is false),
 * disconnected from its filter. */
CipherImageType::Pointer
CipherWithOffsets(const PlainImageType * image,
                  const EncryptFilterType::InitialValueOffsetsType & offsets,
                  bool permute = true)
{
  auto filter = Encrypter(image);
  filter->SetInitialValueOffsets(offsets);
  filter->SetFormatVersion(permute ? medcrypt::CipherHeaderVersion : medcrypt::OldestCipherHeaderVersion);
  filter->Update();
  CipherImageType::Pointer cipher = filter->GetOutput();
  cipher->DisconnectPipeline();
  return cipher;
}

TEST(ResearchHooks, ZeroOffsetsAreTheDefaultAndLeaveTheCiphertextBitIdentical)
{
  const auto image = Phantom();
  auto filter = Encrypter(image);
  EXPECT_EQ(filter->GetInitialValueOffsets(), (EncryptFilterType::InitialValueOffsetsType{ 0.0, 0.0, 0.0, 0.0 }));
  filter->Update();
  const auto plainCipher = filter->GetOutput();
  const auto withZeros = CipherWithOffsets(image, { 0.0, 0.0, 0.0, 0.0 });
  EXPECT_EQ(ChangedFraction(plainCipher, withZeros.GetPointer()), 0.0);

  // Setting an offset and going back to zeros re-runs the filter and gives the original again.
  filter->SetInitialValueOffsets({ 0.0, 1e-15, 0.0, 0.0 });
  EXPECT_EQ(filter->GetInitialValueOffsets()[1], 1e-15);
  filter->Update();
  EXPECT_GT(ChangedFraction(filter->GetOutput(), withZeros.GetPointer()), 0.0);
  filter->SetInitialValueOffsets({ 0.0, 0.0, 0.0, 0.0 });
  filter->Update();
  EXPECT_EQ(ChangedFraction(filter->GetOutput(), withZeros.GetPointer()), 0.0);
}

TEST(ResearchHooks, AnyX0PlusTenToTheMinusFifteenChangesAlmostEveryPixelOfAPermutedCiphertext)
{
  // Format versions 2 and 3 key each tile's permutation with all four x0: any of them moves every cell.
  const auto image = Phantom();
  const auto baseline = CipherWithOffsets(image, {});
  for (std::size_t k = 0; k < 4; ++k)
  {
    EncryptFilterType::InitialValueOffsetsType offsets{};
    offsets[k] = 1e-15;
    EXPECT_GE(ChangedFraction(baseline.GetPointer(), CipherWithOffsets(image, offsets).GetPointer()), 0.9)
      << "x0_" << k + 1;
  }
}

TEST(ResearchHooks, OneUsedX0PlusTenToTheMinusFifteenChangesAlmostEveryCiphertextPixel)
{
  // Format version 1 (the network's ciphertext): after the 1000 burn-in iterations of the logistic map
  // a difference of 1e-15 has grown to a different sequence, so the level's feature key, and with it
  // every ciphertext pixel, changes. Level i's key starts from x0_min(i, 4): the tiny model's two levels
  // use x0_1 and x0_2 only, so offsets on x0_3 and x0_4 change nothing there (medcrypt evaluate
  // --format-version 1 measures only the x0 a model uses).
  ASSERT_EQ(TinyModel()->ParameterLengths().size(), 2u);
  const auto image = Phantom();
  const auto baseline = CipherWithOffsets(image, {}, false);
  for (std::size_t k = 0; k < 4; ++k)
  {
    EncryptFilterType::InitialValueOffsetsType offsets{};
    offsets[k] = 1e-15;
    const double changed =
      ChangedFraction(baseline.GetPointer(), CipherWithOffsets(image, offsets, false).GetPointer());
    if (k < 2)
    {
      EXPECT_GE(changed, 0.9) << "x0_" << k + 1;
    }
    else
    {
      EXPECT_EQ(changed, 0.0) << "x0_" << k + 1;
    }
  }
}

TEST(ResearchHooks, AnOffsetThatLeavesTheUnitIntervalIsRefused)
{
  const auto image = Phantom();
  auto filter = Encrypter(image);
  filter->SetInitialValueOffsets({ 0.0, 0.0, 1.0, 0.0 });
  try
  {
    filter->Update();
    FAIL() << "an x0 above 1 was accepted";
  }
  catch (const itk::ExceptionObject & error)
  {
    EXPECT_NE(std::string(error.GetDescription()).find("x0_3"), std::string::npos) << error.GetDescription();
  }
}

/** Decrypts `encrypter`'s output with the user key; with `featureKey` the network's feature keys come
 * from it; `envelope` chooses the exact envelope or the network. */
PlainImageType::Pointer
Decrypt(EncryptFilterType * encrypter, const UserKey * featureKey, bool envelope)
{
  auto filter = DecryptFilterType::New();
  filter->SetInput(encrypter->GetOutput());
  filter->SetModel(TinyModel());
  filter->SetUserKey(TestKey());
  filter->SetUseEnvelope(envelope);
  if (featureKey != nullptr)
  {
    filter->SetFeatureKeyUserKey(*featureKey);
  }
  filter->Update();
  PlainImageType::Pointer output = filter->GetOutput();
  output->DisconnectPipeline();
  return output;
}

TEST(ResearchHooks, FeatureKeysFromAnotherKeyChangeOnlyTheNetworksDecryption)
{
  const auto image = Phantom();
  auto encrypter = Encrypter(image);
  encrypter->Update();
  const auto rightKey = TestKey();
  const auto wrongKey = TestKey(99);

  const auto network = Decrypt(encrypter, nullptr, false);
  // The user key given again as the feature key is the default behaviour, bit for bit.
  EXPECT_EQ(ChangedFraction(network.GetPointer(), Decrypt(encrypter, &rightKey, false).GetPointer()), 0.0);
  // Another key's feature keys decrypt to another image (the header still opens with the user key).
  EXPECT_GT(ChangedFraction(network.GetPointer(), Decrypt(encrypter, &wrongKey, false).GetPointer()), 0.5);
  // The exact envelope does not use feature keys: still bit-exact.
  EXPECT_EQ(ChangedFraction(image.GetPointer(), Decrypt(encrypter, &wrongKey, true).GetPointer()), 0.0);
}

TEST(ResearchHooks, ClearFeatureKeyUserKeyGoesBackToTheUserKeyAndPrintSelfShowsTheHooks)
{
  const auto image = Phantom();
  auto encrypter = Encrypter(image);
  encrypter->SetInitialValueOffsets({ 1e-15, 0.0, 0.0, 0.0 });
  std::ostringstream encrypterText;
  encrypter->Print(encrypterText);
  EXPECT_NE(encrypterText.str().find("InitialValueOffsets: [1e-15, 0, 0, 0]"), std::string::npos)
    << encrypterText.str();
  encrypter->SetInitialValueOffsets({});
  encrypter->Update();

  auto filter = DecryptFilterType::New();
  filter->SetInput(encrypter->GetOutput());
  filter->SetModel(TinyModel());
  filter->SetUserKey(TestKey());
  filter->SetUseEnvelope(false);
  filter->Update();
  const PlainImageType * output = filter->GetOutput();
  const std::vector<short> expected(output->GetBufferPointer(),
                                    output->GetBufferPointer() + output->GetBufferedRegion().GetNumberOfPixels());

  filter->SetFeatureKeyUserKey(TestKey(5));
  std::ostringstream decrypterText;
  filter->Print(decrypterText);
  EXPECT_NE(decrypterText.str().find("FeatureKeyUserKey: set"), std::string::npos) << decrypterText.str();
  filter->Update();
  const std::vector<short> wrong(filter->GetOutput()->GetBufferPointer(),
                                 filter->GetOutput()->GetBufferPointer() + expected.size());
  EXPECT_NE(wrong, expected);
  filter->ClearFeatureKeyUserKey();
  filter->Update();
  const std::vector<short> again(filter->GetOutput()->GetBufferPointer(),
                                 filter->GetOutput()->GetBufferPointer() + expected.size());
  EXPECT_EQ(again, expected);
}

} // namespace

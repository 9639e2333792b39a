// `medcrypt encrypt` and `medcrypt decrypt` on phantoms, with an untrained tiny model file: bit-exact
// round trips through the exact envelope (2-D MHA, 3-D NIfTI -> NRRD), the network path, and the
// refusals (wrong key, changed pixels, unwritable output, OUT = IN), never leaving a partial file.
#include "CliTestSupport.h"
#include "ImageFileComparison.h"
#include "TinyModelFile.h"

#include "itkImage.h"
#include "itkImageFileReader.h"
#include "itkImageFileWriter.h"
#include "medcrypt/ModelFile.h"
#include "medcrypt/NeuralCipher.h"
#include "medcrypt/OutputCalibration.h"
#include "medcrypt/UserKey.h"
#include "medcryptSheppLoganPhantom.h"

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>

namespace
{

using medcrypt::testing::Contains;
using medcrypt::testing::RunMedcrypt;
using medcrypt::testing::TemporaryDirectory;

template<typename TImage>
typename TImage::Pointer
Read(const std::string & path)
{
  auto reader = itk::ImageFileReader<TImage>::New();
  reader->SetFileName(path);
  reader->Update();
  return reader->GetOutput();
}

using medcrypt::testing::SameImageFiles;

/** A scratch directory with a key, a tiny model and a 50 x 50 int16 phantom, all made in-process (each
 * run of the executable costs about a second of LibTorch loading). */
class CipherCli : public ::testing::Test
{
protected:
  void
  SetUp() override
  {
    key = directory / "user.key";
    model = directory / "tiny.mcmodel";
    phantom = directory / "phantom.mha";
    medcrypt::SaveUserKeyFile(medcrypt::GenerateUserKey(), key);
    medcrypt::testing::WriteTinyModelFile(model, 5);
    medcrypt::PhantomOptions options;
    options.size = 50;
    itk::WriteImage(medcrypt::MakeSheppLoganPhantom<itk::Image<short, 2>>(options), phantom);
  }

  std::string
  Encrypt(const std::string & in, const std::string & out, const std::string & extra = "")
  {
    const auto result = RunMedcrypt("encrypt --key " + key + " --model " + model + " " + extra + " " + in + " " + out);
    EXPECT_EQ(result.status, 0) << result.errors;
    return result.output;
  }

  TemporaryDirectory directory;
  std::string key;
  std::string model;
  std::string phantom;
};

TEST_F(CipherCli, RoundTripThroughTheEnvelopeIsBitExactWithoutTheModel)
{
  const auto cipher = directory / "cipher.mha";
  const auto output = Encrypt(phantom, cipher);
  EXPECT_TRUE(Contains(output, "4 tiles of 32")) << output; // 50 x 50 with 32 x 32 tiles
  ASSERT_TRUE(std::filesystem::exists(cipher + ".medcrypt"));
  const auto ciphertext = Read<itk::Image<unsigned short, 2>>(cipher);
  EXPECT_EQ(ciphertext->GetLargestPossibleRegion().GetSize()[0], 64u);

  // The envelope restores without any model: none is given, and the default points nowhere.
  const auto restored = directory / "restored.mha";
  const auto result =
    RunMedcrypt("decrypt --key " + key + " " + cipher + " " + restored, "MEDCRYPT_MODEL=/nonexistent");
  ASSERT_EQ(result.status, 0) << result.errors;
  EXPECT_TRUE(Contains(result.output, "bit-exact")) << result.output;
  EXPECT_TRUE((SameImageFiles<short, 2>(phantom, restored)));
}

TEST_F(CipherCli, VolumeRoundTripAcrossFormatsIsBitExact)
{
  const auto volume = directory / "volume.nii.gz";
  ASSERT_EQ(RunMedcrypt("phantom --size 40 --slices 3 --type uint16 --out " + volume).status, 0);
  const auto cipher = directory / "cipher.nrrd";
  Encrypt(volume, cipher);
  const auto restored = directory / "restored.nii.gz";
  const auto result = RunMedcrypt("decrypt --key " + key + " --model " + model + " " + cipher + " " + restored);
  ASSERT_EQ(result.status, 0) << result.errors;
  EXPECT_TRUE((SameImageFiles<unsigned short, 3>(volume, restored)));
}

TEST_F(CipherCli, NeuralOnlyDecryptsWithTheNetworkInTheOriginalGeometry)
{
  const auto cipher = directory / "cipher.mha";
  Encrypt(phantom, cipher, "--neural-only");
  const auto restored = directory / "restored.mha";
  const auto noModel = RunMedcrypt("decrypt --key " + key + " " + cipher + " " + restored, "MEDCRYPT_MODEL=");
  if (medcrypt::NeuralCipher::DefaultModelPath().empty())
  {
    EXPECT_NE(noModel.status, 0);
    EXPECT_TRUE(Contains(noModel.errors, "no model: pass --model FILE or train one with medcrypt train"))
      << noModel.errors;
  }
  const auto result = RunMedcrypt("decrypt --key " + key + " --model " + model + " " + cipher + " " + restored);
  ASSERT_EQ(result.status, 0) << result.errors;
  EXPECT_TRUE(Contains(result.output, "by the network")) << result.output;
  const auto original = Read<itk::Image<short, 2>>(phantom);
  const auto decrypted = Read<itk::Image<short, 2>>(restored);
  EXPECT_EQ(decrypted->GetLargestPossibleRegion(), original->GetLargestPossibleRegion());
  EXPECT_EQ(decrypted->GetSpacing(), original->GetSpacing());
}

TEST_F(CipherCli, WrongKeyFailsAndWritesNothing)
{
  const auto cipher = directory / "cipher.mha";
  Encrypt(phantom, cipher);
  const auto other = directory / "other.key";
  medcrypt::SaveUserKeyFile(medcrypt::GenerateUserKey(), other);
  const auto restored = directory / "restored.mha";
  for (const std::string mode : { "", "--neural-only" })
  {
    const auto result =
      RunMedcrypt("decrypt --key " + other + " --model " + model + " " + mode + " " + cipher + " " + restored);
    EXPECT_NE(result.status, 0);
    EXPECT_TRUE(Contains(result.errors, "wrong key or tampered data")) << result.errors;
    EXPECT_FALSE(std::filesystem::exists(restored));
  }
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(directory.Path()), std::filesystem::directory_iterator()),
            6); // key, other key, model, phantom, cipher, sidecar: no temporary file left
}

TEST_F(CipherCli, ChangedCiphertextIsRefusedUnlessTheNetworkIsAskedAndThenWarns)
{
  const auto cipher = directory / "cipher.mha";
  Encrypt(phantom, cipher);
  using CipherImageType = itk::Image<unsigned short, 2>;
  auto image = Read<CipherImageType>(cipher);
  image->SetPixel({ { 1, 1 } }, static_cast<unsigned short>(image->GetPixel({ { 1, 1 } }) ^ 0x100));
  itk::WriteImage(image, cipher);

  const auto restored = directory / "restored.mha";
  const auto refused = RunMedcrypt("decrypt --key " + key + " " + cipher + " " + restored);
  EXPECT_NE(refused.status, 0);
  EXPECT_TRUE(Contains(refused.errors, "pixel digest differs")) << refused.errors;
  EXPECT_FALSE(std::filesystem::exists(restored));

  const auto network =
    RunMedcrypt("decrypt --neural-only --key " + key + " --model " + model + " " + cipher + " " + restored);
  EXPECT_EQ(network.status, 0) << network.errors;
  EXPECT_TRUE(Contains(network.errors, "warning")) << network.errors;
  // Format 4 found the one changed 16 x 16 block and says that the rest is refined.
  EXPECT_TRUE(Contains(network.errors,
                       "(1 changed blocks of 16 x 16 pixels; the decryption is refined where the others "
                       "are intact)"))
    << network.errors;
  EXPECT_TRUE(std::filesystem::exists(restored));
}

TEST_F(CipherCli, UnwritableOutputAndOutputEqualToInputAreRefused)
{
  const auto missing = RunMedcrypt("encrypt --key " + key + " --model " + model + " " + phantom + " " +
                                   (directory / "missing/cipher.mha"));
  EXPECT_NE(missing.status, 0);
  EXPECT_TRUE(Contains(missing.errors, "does not exist or is not writable")) << missing.errors;

  const auto same = RunMedcrypt("encrypt --key " + key + " --model " + model + " " + phantom + " " + phantom);
  EXPECT_NE(same.status, 0);
  EXPECT_TRUE(Contains(same.errors, "is the input file")) << same.errors;

  const auto unknown =
    RunMedcrypt("encrypt --key " + key + " --model " + model + " " + phantom + " " + (directory / "cipher.unknown"));
  EXPECT_NE(unknown.status, 0);
  EXPECT_TRUE(Contains(unknown.errors, "no writer for this file extension")) << unknown.errors;

  const auto cipher = directory / "cipher.mha";
  Encrypt(phantom, cipher);
  const auto intoMissing =
    RunMedcrypt("decrypt --key " + key + " " + cipher + " " + (directory / "missing/restored.mha"));
  EXPECT_NE(intoMissing.status, 0);
  EXPECT_TRUE(Contains(intoMissing.errors, "does not exist or is not writable")) << intoMissing.errors;
  EXPECT_FALSE(std::filesystem::exists(directory / "missing"));
}

TEST_F(CipherCli, MissingSidecarIsNamed)
{
  const auto cipher = directory / "cipher.mha";
  Encrypt(phantom, cipher);
  std::filesystem::remove(cipher + ".medcrypt");
  const auto result = RunMedcrypt("decrypt --key " + key + " " + cipher + " " + (directory / "restored.mha"));
  EXPECT_NE(result.status, 0);
  EXPECT_TRUE(Contains(result.errors, cipher + ".medcrypt")) << result.errors;
}

TEST_F(CipherCli, CalibratedModelIsWrittenAndItsCiphertextsRoundTrip)
{
  const auto data = directory / "train";
  std::filesystem::create_directory(data);
  medcrypt::PhantomOptions options;
  options.size = 64;
  itk::WriteImage(medcrypt::MakeSheppLoganPhantom<itk::Image<short, 2>>(options), data + "/phantom.mha");
  const auto calibrated = directory / "calibrated.mcmodel";
  const auto result =
    RunMedcrypt("calibrate --model " + model + " --data " + data + " --tiles 16 --threads 1 --out " + calibrated);
  ASSERT_EQ(result.status, 0) << result.errors;
  EXPECT_TRUE(Contains(result.output, "fitted on 16 tiles of 1 slices")) << result.output;
  EXPECT_TRUE(Contains(result.output, "calibrated model written to " + calibrated)) << result.output;
  const medcrypt::LoadedModel loaded = medcrypt::LoadModelFile(calibrated);
  EXPECT_FALSE(medcrypt::IsIdentityOutputCalibration(loaded.net->outputCalibration()));
  EXPECT_NE(loaded.modelId, medcrypt::LoadModelFile(model).modelId);

  // Its ciphertexts name it, and they round-trip bit for bit like any other model's.
  const auto cipher = directory / "cipher.mha";
  const auto encrypted = RunMedcrypt("encrypt --key " + key + " --model " + calibrated + " " + phantom + " " + cipher);
  ASSERT_EQ(encrypted.status, 0) << encrypted.errors;
  const auto restored = directory / "restored.mha";
  const auto decrypted = RunMedcrypt("decrypt --key " + key + " --model " + calibrated + " " + cipher + " " + restored);
  ASSERT_EQ(decrypted.status, 0) << decrypted.errors;
  EXPECT_TRUE((SameImageFiles<short, 2>(phantom, restored)));
}

TEST_F(CipherCli, CalibrateRefusesBadModelsDataAndOutputsBeforeAnyWork)
{
  const auto data = directory / "train";
  std::filesystem::create_directory(data);
  std::filesystem::copy_file(phantom, data + "/phantom.mha");
  const auto run = [&](const std::string & modelPath, const std::string & dataPath, const std::string & out)
  { return RunMedcrypt("calibrate --model " + modelPath + " --data " + dataPath + " --tiles 4 --out " + out); };

  const auto missing = run(directory / "absent.mcmodel", data, directory / "out.mcmodel");
  EXPECT_NE(missing.status, 0);
  EXPECT_TRUE(Contains(missing.errors, "absent.mcmodel: cannot open the model file")) << missing.errors;

  const auto same = run(model, data, model);
  EXPECT_NE(same.status, 0);
  EXPECT_TRUE(Contains(same.errors, "is the model to calibrate")) << same.errors;

  const auto unwritable = run(model, data, directory / "missing/out.mcmodel");
  EXPECT_NE(unwritable.status, 0);
  EXPECT_TRUE(Contains(unwritable.errors, "missing/out.mcmodel: cannot write into")) << unwritable.errors;
  EXPECT_FALSE(std::filesystem::exists(directory / "missing"));

  const auto empty = directory / "empty";
  std::filesystem::create_directory(empty);
  const auto noImages = run(model, empty, directory / "out.mcmodel");
  EXPECT_NE(noImages.status, 0);
  EXPECT_TRUE(Contains(noImages.errors, "no usable images")) << noImages.errors;
  EXPECT_FALSE(std::filesystem::exists(directory / "out.mcmodel"));
}

} // namespace

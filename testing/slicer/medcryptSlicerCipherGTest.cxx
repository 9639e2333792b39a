// The MedCryptEncrypt and MedCryptDecrypt Slicer CLI modules, run as Slicer runs them (positional
// volumes, --longflag options) with an untrained tiny model file: bit-exact round trips through the
// cipher file (3-D int16 NRRD, 2-D uint8 MHA), network-only decryption, and the refusals (wrong key,
// missing, wrong or another image's cipher file, missing key file), never leaving an output or a
// temporary file behind.
#include "ImageFileComparison.h"
#include "SlicerTestSupport.h"
#include "TinyModelFile.h"

#include "itkImage.h"
#include "itkImageFileReader.h"
#include "itkImageFileWriter.h"
#include "itkImageRegionIteratorWithIndex.h"
#include "medcrypt/UserKey.h"

#include <gtest/gtest.h>

#include <cstring>
#include <type_traits>
#include <filesystem>

namespace
{

using medcrypt::testing::Contains;
using medcrypt::testing::RunProgram;
using medcrypt::testing::TemporaryDirectory;

const std::string Encrypt = MEDCRYPT_SLICER_ENCRYPT;
const std::string Decrypt = MEDCRYPT_SLICER_DECRYPT;

/** An image whose samples cover negative and positive values (for signed types), with a non-trivial
 * geometry: im(i) = (37 i_x + 11 i_y + 101 i_z) mod 997 - 300 for int16, mod 256 for uint8. */
template<typename TImage>
typename TImage::Pointer
MakePatternImage(const typename TImage::SizeType & size)
{
  auto image = TImage::New();
  image->SetRegions(size);
  typename TImage::SpacingType spacing;
  typename TImage::PointType origin;
  for (unsigned int d = 0; d < TImage::ImageDimension; ++d)
  {
    spacing[d] = 0.5 + 0.25 * d;
    origin[d] = -10.0 * (d + 1);
  }
  image->SetSpacing(spacing);
  image->SetOrigin(origin);
  image->Allocate();
  for (itk::ImageRegionIteratorWithIndex<TImage> it(image, image->GetLargestPossibleRegion()); !it.IsAtEnd(); ++it)
  {
    const auto index = it.GetIndex();
    long value =
      37 * index[0] + 11 * index[1] + (TImage::ImageDimension == 3 ? 101 * index[TImage::ImageDimension - 1] : 0);
    using PixelType = typename TImage::PixelType;
    it.Set(static_cast<PixelType>(std::is_signed_v<PixelType> ? value % 997 - 300 : value % 256));
  }
  return image;
}

template<typename TImage>
typename TImage::Pointer
Read(const std::string & path)
{
  return itk::ReadImage<TImage>(path);
}

/** True when both files hold the same size, geometry and samples read as TPixel, and `b` stores TPixel. */
template<typename TPixel, unsigned int D>
bool
SameImage(const std::string & a, const std::string & b)
{
  return medcrypt::testing::StoredComponentType(b) == itk::ImageIOBase::MapPixelType<TPixel>::CType &&
         medcrypt::testing::SameImageFiles<TPixel, D>(a, b);
}

/** A scratch directory with a key, a tiny model (32 x 32 tiles) and a 40 x 36 x 3 int16 NRRD volume. */
class SlicerCipherModules : public ::testing::Test
{
protected:
  void
  SetUp() override
  {
    key = directory / "user.key";
    model = directory / "tiny.mcmodel";
    volume = directory / "volume.nrrd";
    medcrypt::SaveUserKeyFile(medcrypt::GenerateUserKey(), key);
    medcrypt::testing::WriteTinyModelFile(model, 7);
    itk::WriteImage(MakePatternImage<itk::Image<short, 3>>({ { 40, 36, 3 } }), volume);
    std::filesystem::create_directory(directory / "secrets");
  }

  /** Runs MedCryptEncrypt IN OUT --keyFile --cipherFile --model [extra]; expects success. */
  void
  EncryptVolume(const std::string & in,
                const std::string & out,
                const std::string & cipherFile,
                const std::string & extra = "")
  {
    const auto result = RunProgram(Encrypt,
                                   in + " " + out + " --keyFile " + key + " --cipherFile " + cipherFile + " --model " +
                                     model + " " + extra);
    ASSERT_EQ(result.status, 0) << result.errors;
  }

  /** The names in the scratch directory and its secrets/ folder. */
  std::size_t
  FileCount() const
  {
    std::size_t count = 0;
    for (const auto & entry : std::filesystem::recursive_directory_iterator(directory.Path()))
    {
      count += entry.is_regular_file() ? 1 : 0;
    }
    return count;
  }

  TemporaryDirectory directory;
  std::string key;
  std::string model;
  std::string volume;
};

TEST_F(SlicerCipherModules, VolumeRoundTripThroughTheCipherFileIsBitExact)
{
  const auto cipher = directory / "cipher.nrrd";
  const auto cipherFile = directory / "secrets/volume.medcrypt"; // not next to the ciphertext, another name
  EncryptVolume(volume, cipher, cipherFile);
  EXPECT_TRUE(std::filesystem::exists(cipherFile));
  EXPECT_FALSE(std::filesystem::exists(cipher + ".medcrypt")); // the sidecar goes where --cipherFile says
  EXPECT_EQ(medcrypt::testing::StoredComponentType(cipher), itk::IOComponentEnum::USHORT);
  using CipherImageType = itk::Image<unsigned short, 3>;
  const itk::Size<3> paddedSize{ { 64, 64, 3 } }; // padded to whole 32 x 32 tiles
  EXPECT_EQ(Read<CipherImageType>(cipher)->GetLargestPossibleRegion().GetSize(), paddedSize);

  // The envelope restores without any model: none is given and the default points nowhere.
  const auto restored = directory / "restored.nrrd";
  const auto result = RunProgram(Decrypt,
                                 cipher + " " + restored + " --keyFile " + key + " --cipherFile " + cipherFile,
                                 "MEDCRYPT_MODEL=/nonexistent");
  ASSERT_EQ(result.status, 0) << result.errors;
  EXPECT_TRUE(Contains(result.output, "bit-exact")) << result.output;
  EXPECT_TRUE((SameImage<short, 3>(volume, restored)));
  // Slicer's progress bar: start, the filter's progress up to 1, end.
  EXPECT_TRUE(Contains(result.output, "<filter-start>\n<filter-name>MedCryptDecrypt</filter-name>")) << result.output;
  EXPECT_TRUE(Contains(result.output, "<filter-progress>1.000</filter-progress>\n<filter-end>")) << result.output;
}

TEST_F(SlicerCipherModules, ImageRoundTripThroughTheCipherFileIsBitExact)
{
  const auto image = directory / "image.mha";
  itk::WriteImage(MakePatternImage<itk::Image<unsigned char, 2>>({ { 50, 45 } }), image);
  const auto cipher = directory / "cipher.mha";
  const auto cipherFile = directory / "secrets/image.medcrypt";
  EncryptVolume(image, cipher, cipherFile);
  const auto restored = directory / "restored.mha";
  const auto result =
    RunProgram(Decrypt, "--keyFile " + key + " --cipherFile " + cipherFile + " " + cipher + " " + restored);
  ASSERT_EQ(result.status, 0) << result.errors;
  EXPECT_TRUE((SameImage<unsigned char, 2>(image, restored)));
}

TEST_F(SlicerCipherModules, NetworkOnlyDecryptionGivesTheOriginalSizeAndType)
{
  // Encrypted without envelope: only the network can decrypt.
  const auto cipher = directory / "cipher.nrrd";
  const auto cipherFile = directory / "secrets/volume.medcrypt";
  EncryptVolume(volume, cipher, cipherFile, "--networkOnly");
  const auto restored = directory / "restored.nrrd";
  auto result = RunProgram(
    Decrypt, cipher + " " + restored + " --keyFile " + key + " --cipherFile " + cipherFile + " --model " + model);
  ASSERT_EQ(result.status, 0) << result.errors;
  EXPECT_TRUE(Contains(result.output, "by the network")) << result.output;
  EXPECT_EQ(medcrypt::testing::StoredComponentType(restored), itk::IOComponentEnum::SHORT);
  const auto original = Read<itk::Image<short, 3>>(volume);
  const auto decrypted = Read<itk::Image<short, 3>>(restored);
  EXPECT_EQ(decrypted->GetLargestPossibleRegion(), original->GetLargestPossibleRegion());
  EXPECT_EQ(decrypted->GetSpacing(), original->GetSpacing());
  EXPECT_EQ(decrypted->GetOrigin(), original->GetOrigin());

  // With the envelope present, --networkOnly still asks the network.
  const auto cipher2 = directory / "cipher2.nrrd";
  const auto cipherFile2 = directory / "secrets/volume2.medcrypt";
  EncryptVolume(volume, cipher2, cipherFile2);
  const auto restored2 = directory / "restored2.nrrd";
  result = RunProgram(Decrypt,
                      cipher2 + " " + restored2 + " --networkOnly --keyFile " + key + " --cipherFile " + cipherFile2 +
                        " --model " + model);
  ASSERT_EQ(result.status, 0) << result.errors;
  EXPECT_TRUE(Contains(result.output, "by the network")) << result.output;
  EXPECT_EQ(medcrypt::testing::StoredComponentType(restored2), itk::IOComponentEnum::SHORT);
  using VolumeType = itk::Image<short, 3>;
  EXPECT_EQ(Read<VolumeType>(restored2)->GetLargestPossibleRegion(), original->GetLargestPossibleRegion());

  // A changed ciphertext volume decrypts by the network with a warning that names it.
  using CipherVolumeType = itk::Image<unsigned short, 3>;
  auto changed = Read<CipherVolumeType>(cipher2);
  changed->SetPixel({ { 1, 1, 1 } }, static_cast<unsigned short>(changed->GetPixel({ { 1, 1, 1 } }) ^ 0x100));
  itk::WriteImage(changed, cipher2);
  result = RunProgram(Decrypt,
                      cipher2 + " " + restored2 + " --networkOnly --keyFile " + key + " --cipherFile " + cipherFile2 +
                        " --model " + model);
  ASSERT_EQ(result.status, 0) << result.errors;
  EXPECT_TRUE(Contains(result.errors, "MedCryptDecrypt: warning: the pixels of " + cipher2 + " differ"))
    << result.errors;
  EXPECT_TRUE(Contains(result.output, "by the network")) << result.output;
}

TEST_F(SlicerCipherModules, WrongKeyFailsAndWritesNothing)
{
  const auto cipher = directory / "cipher.nrrd";
  const auto cipherFile = directory / "secrets/volume.medcrypt";
  EncryptVolume(volume, cipher, cipherFile);
  const auto other = directory / "other.key";
  medcrypt::SaveUserKeyFile(medcrypt::GenerateUserKey(), other);
  const std::size_t before = FileCount();
  const auto restored = directory / "restored.nrrd";
  for (const std::string mode : { "", "--networkOnly" })
  {
    const auto result = RunProgram(Decrypt,
                                   cipher + " " + restored + " --keyFile " + other + " --cipherFile " + cipherFile +
                                     " --model " + model + " " + mode);
    EXPECT_EQ(result.status, 1) << mode;
    EXPECT_TRUE(Contains(result.errors, "MedCryptDecrypt: error:")) << result.errors;
    EXPECT_TRUE(Contains(result.errors, "wrong key or tampered data")) << result.errors;
    EXPECT_TRUE(Contains(result.errors, "cannot decrypt " + cipher + " with " + cipherFile)) << result.errors;
    EXPECT_FALSE(std::filesystem::exists(restored));
    EXPECT_EQ(FileCount(), before); // no temporary file left
  }
}

TEST_F(SlicerCipherModules, MissingOrWrongCipherFileOrMissingKeyFailsClearly)
{
  const auto cipher = directory / "cipher.nrrd";
  const auto cipherFile = directory / "secrets/volume.medcrypt";
  const auto restored = directory / "restored.nrrd";

  // Encryption needs --cipherFile too: without it nothing is written.
  auto result = RunProgram(Encrypt, volume + " " + cipher + " --keyFile " + key + " --model " + model);
  EXPECT_EQ(result.status, 1);
  EXPECT_TRUE(Contains(result.errors, "--cipherFile is required")) << result.errors;
  EXPECT_FALSE(std::filesystem::exists(cipher));

  EncryptVolume(volume, cipher, cipherFile);
  result = RunProgram(Decrypt, cipher + " " + restored + " --keyFile " + key + " --model " + model);
  EXPECT_EQ(result.status, 1);
  EXPECT_TRUE(Contains(result.errors, "--cipherFile is required")) << result.errors;
  EXPECT_FALSE(std::filesystem::exists(restored));

  const auto absent = directory / "secrets/absent.medcrypt";
  result = RunProgram(Decrypt, cipher + " " + restored + " --keyFile " + key + " --cipherFile " + absent);
  EXPECT_EQ(result.status, 1);
  EXPECT_TRUE(Contains(result.errors, absent + ": cannot read the MedCrypt sidecar")) << result.errors;
  EXPECT_FALSE(std::filesystem::exists(restored));

  // The cipher file of another image (2-D) is refused, naming the file.
  const auto image = directory / "image.mha";
  itk::WriteImage(MakePatternImage<itk::Image<unsigned char, 2>>({ { 50, 45 } }), image);
  const auto otherCipherFile = directory / "secrets/image.medcrypt";
  EncryptVolume(image, directory / "image-cipher.mha", otherCipherFile);
  result = RunProgram(Decrypt, cipher + " " + restored + " --keyFile " + key + " --cipherFile " + otherCipherFile);
  EXPECT_EQ(result.status, 1);
  EXPECT_TRUE(Contains(result.errors, "is not the ciphertext of " + otherCipherFile)) << result.errors;
  EXPECT_FALSE(std::filesystem::exists(restored));

  // A missing key file is named.
  result = RunProgram(Decrypt, cipher + " " + restored + " --cipherFile " + cipherFile);
  EXPECT_EQ(result.status, 1);
  EXPECT_TRUE(Contains(result.errors, "--keyFile is required")) << result.errors;
  EXPECT_FALSE(std::filesystem::exists(restored));
}

} // namespace

// itk::NeuralEncryptImageFilter / itk::NeuralDecryptImageFilter and the sidecar, with an untrained
// `tiny` model (32 x 32 tiles): bit-exact round trips through the exact envelope for every pixel type,
// 2-D and 3-D, sizes that are not multiples of the tile; the network path's geometry and type;
// determinism; key sensitivity; and every refusal (wrong key, tampered header, another model, changed
// pixels, truncated or foreign sidecars).
#include "TinyModelFile.h"

#include "itkCommand.h"
#include "itkImageRegionConstIteratorWithIndex.h"
#include "itkImageRegionIterator.h"
#include "itkNeuralDecryptImageFilter.h"
#include "itkNeuralEncryptImageFilter.h"
#include "medcrypt/AuthenticatedEncryption.h"
#include "medcrypt/CipherHeader.h"
#include "medcrypt/CiphertextPermutation.h"
#include "medcrypt/FeatureKeys.h"
#include "medcrypt/PoolDigests.h"
#include "medcryptCipherImage.h"
#include "medcryptCiphertextFiles.h"
#include "medcryptSidecar.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <type_traits>
#include <utility>

namespace
{

using medcrypt::NeuralCipher;
using medcrypt::UserKey;

constexpr unsigned int TinyTileSize = 32; // ModelConfigPreset("tiny").tileSize

/** A directory for the test's files, removed with them at the end. */
class ScratchDirectory
{
public:
  ScratchDirectory()
  {
    char pattern[] = "/tmp/medcrypt-neural-XXXXXX";
    m_Path = ::mkdtemp(pattern);
  }
  ~ScratchDirectory()
  {
    std::error_code ignored;
    std::filesystem::remove_all(m_Path, ignored);
  }
  std::string
  operator/(const std::string & name) const
  {
    return m_Path + "/" + name;
  }

private:
  std::string m_Path;
};

/** The tiny models of the suite (seeds 11 and 12), each written and loaded on first use: every test
 * runs in its own process under CTest, and most need only the first. */
class TinyModels
{
public:
  static std::shared_ptr<const NeuralCipher>
  First()
  {
    static const auto model = Make(11);
    return model;
  }
  static std::shared_ptr<const NeuralCipher>
  Second()
  {
    static const auto model = Make(12);
    return model;
  }

private:
  static std::shared_ptr<const NeuralCipher>
  Make(std::uint64_t seed)
  {
    const ScratchDirectory directory;
    const auto path = directory / "tiny.mcmodel";
    medcrypt::testing::WriteTinyModelFile(path, seed);
    return NeuralCipher::Load(path);
  }
};

UserKey
TestKey(std::uint64_t salt = 0)
{
  UserKey key;
  key.b = { 0x0123456789abcdefULL ^ salt, 0xfedcba9876543210ULL, 0x0f1e2d3c4b5a6978ULL, 0x8877665544332211ULL };
  return key;
}

/** An image of random samples over the type's useful range (int16: -1024..3071, CT-like with negatives;
 * floating types: -1000..1000), with non-default spacing, origin and direction. */
template<typename TPixel, unsigned int D>
typename itk::Image<TPixel, D>::Pointer
RandomImage(const itk::Size<D> & size, unsigned seed)
{
  using ImageType = itk::Image<TPixel, D>;
  auto image = ImageType::New();
  image->SetRegions(size);
  image->Allocate();
  typename ImageType::SpacingType spacing;
  typename ImageType::PointType origin;
  for (unsigned int i = 0; i < D; ++i)
  {
    spacing[i] = 0.5 + 0.25 * i;
    origin[i] = -10.0 + 3.5 * i;
  }
  typename ImageType::DirectionType direction;
  direction.SetIdentity();
  direction(0, 0) = 0.0;
  direction(0, 1) = 1.0;
  direction(1, 0) = 1.0;
  direction(1, 1) = 0.0;
  image->SetSpacing(spacing);
  image->SetOrigin(origin);
  image->SetDirection(direction);

  std::mt19937_64 random(seed);
  double low = 0.0;
  double high = 0.0;
  if constexpr (std::is_same_v<TPixel, short>)
  {
    low = -1024;
    high = 3071;
  }
  else if constexpr (std::is_floating_point_v<TPixel>)
  {
    low = -1000;
    high = 1000;
  }
  else
  {
    low = static_cast<double>(std::numeric_limits<TPixel>::lowest());
    high = static_cast<double>(std::numeric_limits<TPixel>::max());
  }
  std::uniform_real_distribution<double> uniform(low, high);
  for (itk::ImageRegionIterator<ImageType> it(image, image->GetLargestPossibleRegion()); !it.IsAtEnd(); ++it)
  {
    const double value = uniform(random);
    it.Set(std::is_integral_v<TPixel> ? static_cast<TPixel>(std::floor(value)) : static_cast<TPixel>(value));
  }
  return image;
}

template<typename TImage>
auto
Encrypt(const TImage * image,
        const UserKey & key,
        bool exactEnvelope = true,
        std::shared_ptr<const NeuralCipher> model = TinyModels::First())
{
  auto filter = itk::NeuralEncryptImageFilter<TImage>::New();
  filter->SetInput(image);
  filter->SetModel(model);
  filter->SetUserKey(key);
  filter->SetExactEnvelope(exactEnvelope);
  filter->Update();
  return filter;
}

template<typename TOutputImage, typename TCipherImage>
auto
MakeDecryptor(const TCipherImage * cipher,
              const UserKey & key,
              std::shared_ptr<const NeuralCipher> model = TinyModels::First())
{
  auto filter = itk::NeuralDecryptImageFilter<TCipherImage, TOutputImage>::New();
  filter->SetInput(cipher);
  filter->SetModel(model);
  filter->SetUserKey(key);
  return filter;
}

/** The network's decryption of `cipher` under the test key, with the default refinement and by the decoder
 * alone (RefinementIterations 0). */
template<typename TOutputImage, typename TCipherImage>
auto
DecryptRefinedAndAlone(const TCipherImage * cipher)
{
  auto refined = MakeDecryptor<TOutputImage>(cipher, TestKey());
  refined->Update();
  auto alone = MakeDecryptor<TOutputImage>(cipher, TestKey());
  alone->SetRefinementIterations(0);
  alone->Update();
  return std::make_pair(refined, alone);
}

template<typename TImage>
bool
SameSamples(const TImage * a, const TImage * b)
{
  const std::size_t n = a->GetBufferedRegion().GetNumberOfPixels();
  if (n != b->GetBufferedRegion().GetNumberOfPixels())
  {
    return false;
  }
  // Bytewise: NaN payloads and -0 must survive too.
  return std::memcmp(a->GetBufferPointer(), b->GetBufferPointer(), n * sizeof(typename TImage::PixelType)) == 0;
}

template<typename TImageA, typename TImageB>
void
ExpectSameGeometry(const TImageA * a, const TImageB * b)
{
  EXPECT_EQ(a->GetLargestPossibleRegion(), b->GetLargestPossibleRegion());
  EXPECT_EQ(a->GetSpacing(), b->GetSpacing());
  EXPECT_EQ(a->GetOrigin(), b->GetOrigin());
  EXPECT_EQ(a->GetDirection(), b->GetDirection());
}

/** Encrypts with the envelope, decrypts, and checks the ciphertext's shape and the exact restoration. */
template<typename TPixel, unsigned int D>
void
ExpectBitExactRoundTrip(const itk::Size<D> & size, unsigned seed)
{
  using ImageType = itk::Image<TPixel, D>;
  const auto image = RandomImage<TPixel, D>(size, seed);
  const auto encrypt = Encrypt(image.GetPointer(), TestKey());
  const auto cipher = encrypt->GetOutput();

  // The padded grid: every tile whole.
  for (unsigned int i = 0; i < 2; ++i)
  {
    EXPECT_EQ(cipher->GetLargestPossibleRegion().GetSize(i),
              (size[i] + TinyTileSize - 1) / TinyTileSize * TinyTileSize);
  }
  if constexpr (D == 3)
  {
    EXPECT_EQ(cipher->GetLargestPossibleRegion().GetSize(2), size[2]);
  }
  EXPECT_EQ(cipher->GetSpacing(), image->GetSpacing());
  EXPECT_EQ(cipher->GetDirection(), image->GetDirection());
  EXPECT_FALSE(encrypt->GetSealedHeader().empty());
  EXPECT_FALSE(encrypt->GetEnvelope().empty());

  // The header records what docs/format.md says.
  const auto clear = medcrypt::ReadClearPart(encrypt->GetSealedHeader(), "test");
  EXPECT_EQ(clear.pixelType, medcrypt::SampleTypeOf<TPixel>());
  EXPECT_EQ(clear.modelId, TinyModels::First()->ModelId());
  EXPECT_FALSE(clear.neuralOnly);
  EXPECT_EQ(clear.pixelDigest, medcrypt::CipherPixelDigest(cipher));
  EXPECT_EQ(clear.geometry.size[0], size[0]);

  auto decrypt = MakeDecryptor<ImageType>(cipher, TestKey());
  decrypt->SetSealedHeader(encrypt->GetSealedHeader());
  decrypt->SetEnvelope(encrypt->GetEnvelope());
  decrypt->Update();
  EXPECT_TRUE(decrypt->GetRestoredFromEnvelope());
  EXPECT_TRUE(decrypt->GetPixelDigestMatches());
  ExpectSameGeometry(decrypt->GetOutput(), image.GetPointer());
  EXPECT_TRUE(SameSamples(decrypt->GetOutput(), image.GetPointer()));
}

TEST(NeuralCipherFilters, TinyPresetHasThe32PixelTilesTheseTestsAssume)
{
  EXPECT_EQ(TinyModels::First()->TileSize(), static_cast<int>(TinyTileSize));
}

TEST(NeuralCipherFilters, RoundTripThroughTheEnvelopeIsBitExact2DUInt8NotAMultipleOfTheTile)
{
  ExpectBitExactRoundTrip<unsigned char, 2>({ { 45, 37 } }, 1);
}

TEST(NeuralCipherFilters, RoundTripThroughTheEnvelopeIsBitExact3DInt16WithNegatives)
{
  ExpectBitExactRoundTrip<short, 3>({ { 40, 33, 3 } }, 2);
}

TEST(NeuralCipherFilters, RoundTripThroughTheEnvelopeIsBitExactFloatAndUInt16)
{
  ExpectBitExactRoundTrip<float, 2>({ { 45, 37 } }, 3);
  ExpectBitExactRoundTrip<unsigned short, 2>({ { 64, 31 } }, 4);
}

TEST(NeuralCipherFilters, RoundTripThroughTheEnvelopeIsBitExactOtherTypes)
{
  ExpectBitExactRoundTrip<signed char, 2>({ { 20, 20 } }, 5);
  ExpectBitExactRoundTrip<unsigned int, 2>({ { 33, 12 } }, 6);
  ExpectBitExactRoundTrip<int, 3>({ { 12, 40, 2 } }, 7);
  ExpectBitExactRoundTrip<double, 3>({ { 17, 9, 2 } }, 8);
}

TEST(NeuralCipherFilters, EnvelopeIntoAnotherOutputTypeRoundsAndClamps)
{
  using OutputImageType = itk::Image<unsigned char, 2>;
  const auto image = RandomImage<short, 2>({ { 40, 30 } }, 25); // -1024..3071
  const auto encrypt = Encrypt(image.GetPointer(), TestKey());
  auto decrypt = MakeDecryptor<OutputImageType>(encrypt->GetOutput(), TestKey());
  decrypt->Update();
  EXPECT_TRUE(decrypt->GetRestoredFromEnvelope());
  // Each sample clamped into 0..255 (integers need no rounding).
  const short * original = image->GetBufferPointer();
  const unsigned char * restored = decrypt->GetOutput()->GetBufferPointer();
  for (std::size_t i = 0; i < image->GetBufferedRegion().GetNumberOfPixels(); ++i)
  {
    ASSERT_EQ(restored[i], original[i] < 0 ? 0 : original[i] > 255 ? 255 : original[i]) << i;
  }
}

TEST(NeuralCipherFilters, HeaderAndEnvelopeTravelThroughAPipelineInTheDictionary)
{
  using ImageType = itk::Image<short, 2>;
  const auto image = RandomImage<short, 2>({ { 45, 37 } }, 9);
  auto encrypt = itk::NeuralEncryptImageFilter<ImageType>::New();
  encrypt->SetInput(image);
  encrypt->SetModel(TinyModels::First());
  encrypt->SetUserKey(TestKey());
  // Not updated: the decryptor must bring it up to date to learn the geometry from the header.
  auto decrypt = MakeDecryptor<ImageType>(encrypt->GetOutput(), TestKey());
  decrypt->Update();
  EXPECT_TRUE(decrypt->GetRestoredFromEnvelope());
  ExpectSameGeometry(decrypt->GetOutput(), image.GetPointer());
  EXPECT_TRUE(SameSamples(decrypt->GetOutput(), image.GetPointer()));
  EXPECT_FALSE(decrypt->GetOutput()->GetMetaDataDictionary().HasKey(medcrypt::CipherHeaderMetaDataKey));

  std::string stored;
  ASSERT_TRUE(itk::ExposeMetaData<std::string>(
    encrypt->GetOutput()->GetMetaDataDictionary(), medcrypt::CipherHeaderMetaDataKey, stored));
  EXPECT_EQ(stored, std::string(encrypt->GetSealedHeader().begin(), encrypt->GetSealedHeader().end()));
}

TEST(NeuralCipherFilters, NeuralOnlyRoundTripGivesTheOriginalGeometryTypeAndRange)
{
  using ImageType = itk::Image<short, 3>;
  const auto image = RandomImage<short, 3>({ { 45, 37, 2 } }, 10);
  const auto encrypt = Encrypt(image.GetPointer(), TestKey(), /*exactEnvelope=*/false);
  EXPECT_TRUE(encrypt->GetEnvelope().empty());
  EXPECT_FALSE(encrypt->GetOutput()->GetMetaDataDictionary().HasKey(medcrypt::EnvelopeMetaDataKey));
  EXPECT_TRUE(medcrypt::ReadClearPart(encrypt->GetSealedHeader(), "test").neuralOnly);

  auto decrypt = MakeDecryptor<ImageType>(encrypt->GetOutput(), TestKey());
  decrypt->Update();
  EXPECT_FALSE(decrypt->GetRestoredFromEnvelope());
  EXPECT_TRUE(decrypt->GetPixelDigestMatches());
  ExpectSameGeometry(decrypt->GetOutput(), image.GetPointer());
  // Denormalised with the header's range and clamped into it (the untrained network's quality is not
  // asserted).
  const auto [minimum, maximum] = medcrypt::IntensityRange(image.GetPointer());
  const auto [low, high] = medcrypt::IntensityRange(decrypt->GetOutput());
  EXPECT_GE(low, minimum);
  EXPECT_LE(high, maximum);
}

TEST(NeuralCipherFilters, UseEnvelopeOffRunsTheNetworkEvenWhenAnEnvelopeIsThere)
{
  using ImageType = itk::Image<unsigned char, 2>;
  const auto image = RandomImage<unsigned char, 2>({ { 40, 40 } }, 11);
  const auto encrypt = Encrypt(image.GetPointer(), TestKey());
  auto network = MakeDecryptor<ImageType>(encrypt->GetOutput(), TestKey());
  network->SetUseEnvelope(false);
  network->Update();
  EXPECT_FALSE(network->GetRestoredFromEnvelope());

  // The same as decrypting a neural-only encryption of the same image: the network path ignores the
  // envelope entirely, and the ciphertext pixels do not depend on it.
  const auto neuralOnly = Encrypt(image.GetPointer(), TestKey(), false);
  EXPECT_TRUE(SameSamples(neuralOnly->GetOutput(), encrypt->GetOutput()));
  auto other = MakeDecryptor<ImageType>(neuralOnly->GetOutput(), TestKey());
  other->Update();
  EXPECT_TRUE(SameSamples(network->GetOutput(), other->GetOutput()));
}

namespace
{
/** The neural-only encryption of `image` with the test key in cipher format `version`. */
itk::NeuralEncryptImageFilter<itk::Image<unsigned short, 2>>::Pointer
EncryptInFormat(const itk::Image<unsigned short, 2> * image, std::uint32_t version)
{
  auto filter = itk::NeuralEncryptImageFilter<itk::Image<unsigned short, 2>>::New();
  filter->SetInput(image);
  filter->SetModel(TinyModels::First());
  filter->SetUserKey(TestKey());
  filter->SetExactEnvelope(false);
  filter->SetFormatVersion(version);
  filter->Update();
  return filter;
}
} // namespace

TEST(NeuralCipherFilters, FormatVersions2To4StoreEachTileUnderItsPermutationAndDecryptLikeVersion1)
{
  using ImageType = itk::Image<unsigned short, 2>;
  const auto image = RandomImage<unsigned short, 2>({ { 50, 40 } }, 13); // 2 x 2 tiles of 32
  const auto plainFilter = EncryptInFormat(image.GetPointer(), 1);
  const auto * network = plainFilter->GetOutput();
  EXPECT_EQ(medcrypt::ReadClearPart(plainFilter->GetSealedHeader(), "test").formatVersion, 1u);
  auto fromNetwork = MakeDecryptor<ImageType>(network, TestKey());
  fromNetwork->Update();
  const auto tiles = medcrypt::TileRegion(image->GetLargestPossibleRegion(), TinyTileSize);
  ASSERT_EQ(tiles.size(), 4u);

  std::vector<itk::NeuralEncryptImageFilter<ImageType>::Pointer> versions;
  for (const std::uint32_t version : { 2u, 3u, 4u })
  {
    const auto permuted = EncryptInFormat(image.GetPointer(), version);
    versions.push_back(permuted);
    const auto * stored = permuted->GetOutput();
    EXPECT_EQ(medcrypt::ReadClearPart(permuted->GetSealedHeader(), "test").formatVersion, version);

    // Every tile of the ciphertext is the version-1 tile under the permutation of its keys and layout.
    const auto header = medcrypt::OpenHeader(permuted->GetSealedHeader(), TestKey(), "test");
    for (std::size_t t = 0; t < tiles.size(); ++t)
    {
      medcrypt::TileKeyParameters keys;
      keys.x0 =
        medcrypt::DeriveInitialValues(TestKey(), header.sealed.tiles[t].digest, medcrypt::KeySchedule::Hardened);
      keys.mu = TestKey().mu;
      keys.burnIn = TestKey().burnIn;
      const auto order = medcrypt::CiphertextPermutation(keys, TinyTileSize, medcrypt::CiphertextLayoutOf(version));
      std::size_t moved = 0;
      for (std::size_t i = 0; i < order.size(); ++i)
      {
        const itk::Index<2> to = {
          { static_cast<itk::IndexValueType>(tiles[t].position.column * TinyTileSize + i % TinyTileSize),
            static_cast<itk::IndexValueType>(tiles[t].position.row * TinyTileSize + i / TinyTileSize) }
        };
        const itk::Index<2> from = {
          { static_cast<itk::IndexValueType>(tiles[t].position.column * TinyTileSize + order[i] % TinyTileSize),
            static_cast<itk::IndexValueType>(tiles[t].position.row * TinyTileSize + order[i] / TinyTileSize) }
        };
        ASSERT_EQ(stored->GetPixel(to), network->GetPixel(from)) << "version " << version << " tile " << t;
        moved += order[i] != i;
      }
      EXPECT_GT(moved, order.size() * 9 / 10) << "version " << version << " tile " << t;
    }

    // Decryption reads the version from the header and undoes its permutation: all decrypt alike.
    auto fromPermuted = MakeDecryptor<ImageType>(stored, TestKey());
    fromPermuted->Update();
    EXPECT_TRUE(SameSamples(fromPermuted->GetOutput(), fromNetwork->GetOutput())) << "version " << version;
  }
  // The two layouts store different ciphertexts; version 4 stores version 3's pixels and is what encryption
  // writes by default.
  EXPECT_FALSE(SameSamples(versions[0]->GetOutput(), versions[1]->GetOutput()));
  EXPECT_TRUE(SameSamples(versions[1]->GetOutput(), versions[2]->GetOutput()));
  EXPECT_EQ(itk::NeuralEncryptImageFilter<ImageType>::New()->GetFormatVersion(), 4u);
}

TEST(NeuralCipherFilters, AFormatVersionThisMedCryptDoesNotWriteIsRefusedByName)
{
  const auto image = RandomImage<unsigned short, 2>({ { 20, 20 } }, 3);
  for (const std::uint32_t version : { 0u, 5u })
  {
    try
    {
      (void)EncryptInFormat(image.GetPointer(), version);
      FAIL() << version;
    }
    catch (const itk::ExceptionObject & error)
    {
      EXPECT_NE(std::string(error.GetDescription()).find("writes versions 1 to 4"), std::string::npos)
        << error.GetDescription();
    }
  }
}

TEST(NeuralCipherFilters, CiphertextPixelsAreDeterministicSealedBlobsAreNot)
{
  const auto image = RandomImage<unsigned short, 2>({ { 50, 40 } }, 12);
  const auto first = Encrypt(image.GetPointer(), TestKey());
  const auto second = Encrypt(image.GetPointer(), TestKey());
  EXPECT_TRUE(SameSamples(first->GetOutput(), second->GetOutput()));
  EXPECT_NE(first->GetSealedHeader(), second->GetSealedHeader()); // fresh nonces
  EXPECT_NE(first->GetEnvelope(), second->GetEnvelope());
  // Another key gives other pixels.
  const auto third = Encrypt(image.GetPointer(), TestKey(1));
  EXPECT_FALSE(SameSamples(first->GetOutput(), third->GetOutput()));
}

/** Fraction of equal samples of two same-sized images inside `region`. */
template<typename TImage>
double
ChangedFraction(const TImage * a, const TImage * b, const typename TImage::RegionType & region)
{
  itk::ImageRegionConstIterator<TImage> ia(a, region);
  itk::ImageRegionConstIterator<TImage> ib(b, region);
  std::size_t changed = 0;
  for (; !ia.IsAtEnd(); ++ia, ++ib)
  {
    changed += ia.Get() != ib.Get();
  }
  return static_cast<double>(changed) / static_cast<double>(region.GetNumberOfPixels());
}

TEST(NeuralCipherFilters, OnePixelChangeChangesAlmostEveryCiphertextPixelOfItsTile)
{
  using ImageType = itk::Image<unsigned char, 2>;
  // Two tile columns: the change at (5, 7) lies in tile (row 0, column 0).
  auto image = RandomImage<unsigned char, 2>({ { 64, 32 } }, 13);
  // Keep the global range fixed so only the changed tile's keys and samples differ.
  image->SetPixel({ { 0, 0 } }, 0);
  image->SetPixel({ { 1, 0 } }, 255);
  const auto before = Encrypt(image.GetPointer(), TestKey());
  const itk::Index<2> changedAt{ { 5, 7 } };
  image->SetPixel(changedAt, static_cast<unsigned char>(image->GetPixel(changedAt) ^ 1));
  image->Modified();
  const auto after = Encrypt(image.GetPointer(), TestKey());

  const ImageType::RegionType changedTile({ { 0, 0 } }, { { 32, 32 } });
  const ImageType::RegionType otherTile({ { 32, 0 } }, { { 32, 32 } });
  EXPECT_GE(ChangedFraction(before->GetOutput(), after->GetOutput(), changedTile), 0.99);
  // Tiles have their own keys: the other tile's ciphertext stays as it was.
  EXPECT_EQ(ChangedFraction(before->GetOutput(), after->GetOutput(), otherTile), 0.0);
}

TEST(NeuralCipherFilters, WrongKeyThrowsAndProducesNoOutput)
{
  using ImageType = itk::Image<unsigned char, 2>;
  const auto image = RandomImage<unsigned char, 2>({ { 45, 37 } }, 14);
  const auto encrypt = Encrypt(image.GetPointer(), TestKey());
  auto decrypt = MakeDecryptor<ImageType>(encrypt->GetOutput(), TestKey(7));
  try
  {
    decrypt->Update();
    FAIL() << "a wrong key was accepted";
  }
  catch (const itk::ExceptionObject & error)
  {
    EXPECT_NE(std::string(error.GetDescription()).find("wrong key or tampered data"), std::string::npos)
      << error.GetDescription();
  }
  EXPECT_EQ(decrypt->GetOutput()->GetBufferPointer(), nullptr);
}

TEST(NeuralCipherFilters, TamperedHeaderIsRefused)
{
  using ImageType = itk::Image<unsigned char, 2>;
  const auto image = RandomImage<unsigned char, 2>({ { 45, 37 } }, 15);
  const auto encrypt = Encrypt(image.GetPointer(), TestKey());
  auto header = encrypt->GetSealedHeader();
  header[header.size() - 20] ^= 0x01; // a byte of the sealed records
  auto decrypt = MakeDecryptor<ImageType>(encrypt->GetOutput(), TestKey());
  decrypt->SetSealedHeader(header);
  EXPECT_THROW(decrypt->Update(), itk::ExceptionObject);
  EXPECT_EQ(decrypt->GetOutput()->GetBufferPointer(), nullptr);

  // A changed model id in the clear JSON (still valid JSON, but authenticated as additional data).
  auto clearTampered = encrypt->GetSealedHeader();
  const std::string text(clearTampered.begin(), clearTampered.end());
  const std::string field = "\"model_id\":\"";
  const auto at = text.find(field);
  ASSERT_NE(at, std::string::npos);
  auto & digit = clearTampered[at + field.size()];
  digit = digit == 'a' ? 'b' : 'a';
  auto second = MakeDecryptor<ImageType>(encrypt->GetOutput(), TestKey());
  second->SetSealedHeader(clearTampered);
  EXPECT_THROW(second->Update(), itk::ExceptionObject);
}

TEST(NeuralCipherFilters, TamperedEnvelopeIsRefusedNotReplacedByTheNetwork)
{
  using ImageType = itk::Image<unsigned char, 2>;
  const auto image = RandomImage<unsigned char, 2>({ { 45, 37 } }, 26);
  const auto encrypt = Encrypt(image.GetPointer(), TestKey());
  auto envelope = encrypt->GetEnvelope();
  envelope[envelope.size() - 30] ^= 0x01; // a byte of the encrypted content
  auto decrypt = MakeDecryptor<ImageType>(encrypt->GetOutput(), TestKey());
  decrypt->SetEnvelope(envelope);
  try
  {
    decrypt->Update();
    FAIL() << "a tampered envelope was accepted";
  }
  catch (const itk::ExceptionObject & error)
  {
    EXPECT_NE(std::string(error.GetDescription()).find("envelope was changed"), std::string::npos)
      << error.GetDescription();
  }
  decrypt->SetUseEnvelope(false);
  EXPECT_NO_THROW(decrypt->Update());
  EXPECT_FALSE(decrypt->GetRestoredFromEnvelope());
}

TEST(NeuralCipherFilters, AnotherModelIsRefusedNamingBothIds)
{
  using ImageType = itk::Image<unsigned char, 2>;
  const auto image = RandomImage<unsigned char, 2>({ { 45, 37 } }, 16);
  const auto encrypt = Encrypt(image.GetPointer(), TestKey(), false);
  auto decrypt = MakeDecryptor<ImageType>(encrypt->GetOutput(), TestKey(), TinyModels::Second());
  try
  {
    decrypt->Update();
    FAIL() << "another model was accepted";
  }
  catch (const itk::ExceptionObject & error)
  {
    const std::string message = error.GetDescription();
    EXPECT_NE(message.find(TinyModels::First()->ModelId()), std::string::npos) << message;
    EXPECT_NE(message.find(TinyModels::Second()->ModelId()), std::string::npos) << message;
  }
}

/** A copy of a 2-D ciphertext, with its dictionary (header and envelope), in which pixel (3, 4) moved by one. */
itk::Image<unsigned short, 2>::Pointer
CopyWithOnePixelChanged(const itk::Image<unsigned short, 2> * cipher)
{
  auto copy = itk::Image<unsigned short, 2>::New();
  copy->SetRegions(cipher->GetLargestPossibleRegion());
  copy->Allocate();
  std::copy_n(cipher->GetBufferPointer(), cipher->GetBufferedRegion().GetNumberOfPixels(), copy->GetBufferPointer());
  copy->CopyInformation(cipher);
  copy->SetMetaDataDictionary(cipher->GetMetaDataDictionary());
  copy->SetPixel({ { 3, 4 } }, static_cast<unsigned short>(copy->GetPixel({ { 3, 4 } }) + 1));
  return copy;
}

TEST(NeuralCipherFilters, ChangedCiphertextPixelIsFlaggedAndTheEnvelopeStillRestores)
{
  using ImageType = itk::Image<short, 2>;
  const auto image = RandomImage<short, 2>({ { 45, 37 } }, 17);
  const auto encrypt = Encrypt(image.GetPointer(), TestKey());
  const auto copy = CopyWithOnePixelChanged(encrypt->GetOutput());

  itk::Object::GlobalWarningDisplayOff(); // the expected warning would clutter the test log
  auto exact = MakeDecryptor<ImageType>(copy.GetPointer(), TestKey());
  exact->Update();
  EXPECT_FALSE(exact->GetPixelDigestMatches());
  EXPECT_TRUE(SameSamples(exact->GetOutput(), image.GetPointer()));

  auto network = MakeDecryptor<ImageType>(copy.GetPointer(), TestKey());
  network->SetUseEnvelope(false);
  network->Update();
  EXPECT_FALSE(network->GetPixelDigestMatches());
  itk::Object::GlobalWarningDisplayOn();
}

TEST(NeuralCipherFilters, NetworkDecryptionOfFormat3IsRefinedOnlyWhenTheCiphertextIsUnchanged)
{
  using ImageType = itk::Image<short, 2>;
  const auto image = RandomImage<short, 2>({ { 45, 37 } }, 19);
  auto encrypt = itk::NeuralEncryptImageFilter<ImageType>::New();
  encrypt->SetInput(image);
  encrypt->SetModel(TinyModels::First());
  encrypt->SetUserKey(TestKey());
  encrypt->SetExactEnvelope(false);
  encrypt->SetFormatVersion(3);
  encrypt->Update();

  auto refined = MakeDecryptor<ImageType>(encrypt->GetOutput(), TestKey());
  EXPECT_EQ(refined->GetRefinementIterations(), static_cast<unsigned>(medcrypt::DefaultRefinementIterations));
  refined->Update();
  EXPECT_EQ(refined->GetRefinementIterationsApplied(), static_cast<unsigned>(medcrypt::DefaultRefinementIterations));
  auto decoderAlone = MakeDecryptor<ImageType>(encrypt->GetOutput(), TestKey());
  decoderAlone->SetRefinementIterations(0);
  decoderAlone->Update();
  EXPECT_EQ(decoderAlone->GetRefinementIterationsApplied(), 0u);
  EXPECT_FALSE(SameSamples(refined->GetOutput(), decoderAlone->GetOutput()));

  // One changed ciphertext pixel: the refinement would amplify the damage, so the decoder alone decrypts.
  const auto copy = CopyWithOnePixelChanged(encrypt->GetOutput());
  itk::Object::GlobalWarningDisplayOff(); // the expected warning would clutter the test log
  const auto [changed, changedDecoderAlone] = DecryptRefinedAndAlone<ImageType>(copy.GetPointer());
  itk::Object::GlobalWarningDisplayOn();
  EXPECT_FALSE(changed->GetPixelDigestMatches());
  EXPECT_EQ(changed->GetRefinementIterationsApplied(), 0u);
  EXPECT_TRUE(SameSamples(changed->GetOutput(), changedDecoderAlone->GetOutput()));
}

TEST(NeuralCipherFilters, Format4SealsAPoolDigestPerPoolAndRefinesAChangedCiphertextWhereItIsIntact)
{
  using ImageType = itk::Image<unsigned short, 2>;
  const auto image = RandomImage<unsigned short, 2>({ { 50, 40 } }, 23); // 2 x 2 tiles of 32: 4 pools each
  const auto encrypt = EncryptInFormat(image.GetPointer(), 4);
  const auto header = medcrypt::OpenHeader(encrypt->GetSealedHeader(), TestKey(), "test");
  const auto tiles = medcrypt::TileRegion(image->GetLargestPossibleRegion(), TinyTileSize);
  ASSERT_EQ(header.sealed.tiles.size(), 4u);
  // Each tile's digests are those of its stored pools as written (16 x 16, row-major, 8 bytes each).
  for (std::size_t t = 0; t < tiles.size(); ++t)
  {
    std::vector<unsigned short> stored;
    for (unsigned y = 0; y < TinyTileSize; ++y)
    {
      for (unsigned x = 0; x < TinyTileSize; ++x)
      {
        stored.push_back(encrypt->GetOutput()->GetPixel(
          { { static_cast<itk::IndexValueType>(tiles[t].position.column * TinyTileSize + x),
              static_cast<itk::IndexValueType>(tiles[t].position.row * TinyTileSize + y) } }));
      }
    }
    EXPECT_EQ(header.sealed.tiles[t].poolDigests, medcrypt::ComputePoolDigests(stored.data(), TinyTileSize, 16));
    EXPECT_EQ(header.sealed.tiles[t].poolDigests.size(), 4 * medcrypt::PoolDigestBytes);
  }

  auto intact = MakeDecryptor<ImageType>(encrypt->GetOutput(), TestKey());
  intact->Update();
  EXPECT_EQ(intact->GetChangedPoolCount(), 0u);

  // One changed pixel, (3, 4), lies in the first pool of the first tile: that pool alone is found changed,
  // the decryption is still refined, and it differs from the decoder alone's.
  const auto copy = CopyWithOnePixelChanged(encrypt->GetOutput());
  itk::Object::GlobalWarningDisplayOff(); // the expected warning would clutter the test log
  const auto [changed, decoderAlone] = DecryptRefinedAndAlone<ImageType>(copy.GetPointer());
  EXPECT_FALSE(changed->GetPixelDigestMatches());
  EXPECT_EQ(changed->GetChangedPoolCount(), 1u);
  EXPECT_EQ(changed->GetRefinementIterationsApplied(), static_cast<unsigned>(medcrypt::DefaultRefinementIterations));
  EXPECT_FALSE(SameSamples(changed->GetOutput(), decoderAlone->GetOutput()));
  // The other three tiles are intact, so they decrypt exactly as in the unchanged ciphertext.
  for (std::size_t t = 1; t < tiles.size(); ++t)
  {
    for (itk::ImageRegionConstIteratorWithIndex<ImageType> it(intact->GetOutput(), tiles[t].region); !it.IsAtEnd();
         ++it)
    {
      ASSERT_EQ(changed->GetOutput()->GetPixel(it.GetIndex()), it.Get()) << "tile " << t;
    }
  }

  // Every pixel changed (one added to each): no pool is intact, the tiles keep the decoder's estimate.
  auto everywhere = ImageType::New();
  everywhere->SetRegions(copy->GetLargestPossibleRegion());
  everywhere->Allocate();
  everywhere->CopyInformation(copy);
  everywhere->SetMetaDataDictionary(copy->GetMetaDataDictionary());
  const auto * source = encrypt->GetOutput()->GetBufferPointer();
  for (std::size_t i = 0; i < everywhere->GetBufferedRegion().GetNumberOfPixels(); ++i)
  {
    everywhere->GetBufferPointer()[i] = static_cast<unsigned short>(source[i] == 65535 ? 65534 : source[i] + 1);
  }
  const auto [noised, noisedDecoderAlone] = DecryptRefinedAndAlone<ImageType>(everywhere.GetPointer());
  itk::Object::GlobalWarningDisplayOn();
  EXPECT_EQ(noised->GetChangedPoolCount(), 16u);
  EXPECT_TRUE(SameSamples(noised->GetOutput(), noisedDecoderAlone->GetOutput()));
}

TEST(NeuralCipherFilters, EncryptionReportsProgress)
{
  using ImageType = itk::Image<unsigned char, 3>;
  const auto image = RandomImage<unsigned char, 3>({ { 64, 64, 3 } }, 18); // 12 tiles
  auto filter = itk::NeuralEncryptImageFilter<ImageType>::New();
  filter->SetInput(image);
  filter->SetModel(TinyModels::First());
  filter->SetUserKey(TestKey());
  std::vector<float> reported;
  auto watch = itk::CStyleCommand::New();
  watch->SetCallback(
    [](itk::Object * caller, const itk::EventObject &, void * data)
    { static_cast<std::vector<float> *>(data)->push_back(static_cast<itk::ProcessObject *>(caller)->GetProgress()); });
  watch->SetClientData(&reported);
  filter->AddObserver(itk::ProgressEvent(), watch);
  filter->Update();
  ASSERT_GE(reported.size(), 2u);
  EXPECT_FLOAT_EQ(reported.back(), 1.0f);
}

TEST(NeuralCipherFilters, ConstantImageRoundTrips)
{
  using ImageType = itk::Image<short, 2>;
  auto image = ImageType::New();
  image->SetRegions(ImageType::SizeType{ { 33, 33 } });
  image->Allocate();
  image->FillBuffer(-7);
  const auto encrypt = Encrypt(image.GetPointer(), TestKey());
  auto exact = MakeDecryptor<ImageType>(encrypt->GetOutput(), TestKey());
  exact->Update();
  EXPECT_TRUE(SameSamples(exact->GetOutput(), image.GetPointer()));
  // The network path denormalises a zero-width range to the constant itself.
  auto network = MakeDecryptor<ImageType>(encrypt->GetOutput(), TestKey());
  network->SetUseEnvelope(false);
  network->Update();
  EXPECT_TRUE(SameSamples(network->GetOutput(), image.GetPointer()));
}

TEST(Sidecar, CiphertextAndSidecarRoundTripThroughFiles)
{
  ScratchDirectory directory;
  using ImageType = itk::Image<short, 3>;
  using CipherImageType = itk::Image<unsigned short, 3>;
  const auto image = RandomImage<short, 3>({ { 45, 37, 2 } }, 19);
  const auto encrypt = Encrypt(image.GetPointer(), TestKey());
  const auto path = directory / "cipher.nrrd";
  medcrypt::WriteCiphertextWithSidecar(encrypt->GetOutput(), path);
  ASSERT_TRUE(std::filesystem::exists(medcrypt::SidecarPathFor(path)));

  const auto cipher = medcrypt::ReadCiphertextWithSidecar<CipherImageType>(path, false);
  EXPECT_TRUE(SameSamples(cipher.GetPointer(), encrypt->GetOutput()));
  auto decrypt = MakeDecryptor<ImageType>(cipher.GetPointer(), TestKey());
  decrypt->Update();
  EXPECT_TRUE(decrypt->GetRestoredFromEnvelope());
  EXPECT_TRUE(SameSamples(decrypt->GetOutput(), image.GetPointer()));
  // Only the two files: no temporary file is left behind.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(directory / ""), std::filesystem::directory_iterator()),
            2);
}

TEST(Sidecar, ContainerLayoutIsAsDocumented)
{
  // docs/format.md "Sidecar file": magic, uint32 version, uint32 length + header, uint32 length + envelope.
  const medcrypt::CipherSidecar sidecar{ { 1, 2, 3 }, {} };
  const auto bytes = medcrypt::EncodeSidecar(sidecar);
  const std::vector<std::uint8_t> expected = { 'M', 'E', 'D', 'C', 'R', 'Y', 'P', 'T', '-', 'S', 'I',
                                               'D', 'E', 'C', 'A', 'R', 1,   0,   0,   0,   3,   0,
                                               0,   0,   1,   2,   3,   0,   0,   0,   0 };
  EXPECT_EQ(bytes, expected);
  const auto back = medcrypt::DecodeSidecar(bytes, "x");
  EXPECT_EQ(back.header, sidecar.header);
  EXPECT_TRUE(back.envelope.empty());
}

TEST(Sidecar, TruncatedOrExtendedSidecarIsRefused)
{
  ScratchDirectory directory;
  const auto image = RandomImage<unsigned char, 2>({ { 45, 37 } }, 20);
  const auto encrypt = Encrypt(image.GetPointer(), TestKey());
  const medcrypt::CipherSidecar sidecar{ encrypt->GetSealedHeader(), encrypt->GetEnvelope() };
  const auto bytes = medcrypt::EncodeSidecar(sidecar);
  for (std::size_t keep :
       { std::size_t{ 0 }, std::size_t{ 10 }, std::size_t{ 22 }, bytes.size() / 2, bytes.size() - 1 })
  {
    try
    {
      medcrypt::DecodeSidecar(medcrypt::ByteView(bytes.data(), keep), "cipher.mha.medcrypt");
      ADD_FAILURE() << "a sidecar cut to " << keep << " bytes was accepted";
    }
    catch (const medcrypt::UserError & error)
    {
      const std::string message = error.what();
      EXPECT_NE(message.find("cipher.mha.medcrypt"), std::string::npos) << message;
      if (keep > 0)
      {
        EXPECT_NE(message.find("truncated"), std::string::npos) << message;
      }
    }
  }
  auto longer = bytes;
  longer.push_back(0);
  EXPECT_THROW(medcrypt::DecodeSidecar(longer, "x"), medcrypt::UserError);

  // Through the file reader too.
  const auto path = directory / "cipher.mha";
  medcrypt::WriteCiphertextWithSidecar(encrypt->GetOutput(), path);
  std::filesystem::resize_file(medcrypt::SidecarPathFor(path), 100);
  EXPECT_THROW((medcrypt::ReadCiphertextWithSidecar<itk::Image<unsigned short, 2>>(path, false)), medcrypt::UserError);
}

TEST(Sidecar, SidecarOfAnotherImageIsRefused)
{
  ScratchDirectory directory;
  using CipherImageType = itk::Image<unsigned short, 2>;
  const auto first = Encrypt(RandomImage<unsigned char, 2>({ { 45, 37 } }, 21).GetPointer(), TestKey());
  const auto sameSize = Encrypt(RandomImage<unsigned char, 2>({ { 45, 37 } }, 22).GetPointer(), TestKey());
  const auto otherSize = Encrypt(RandomImage<unsigned char, 2>({ { 70, 37 } }, 23).GetPointer(), TestKey());
  const auto path = directory / "first.mha";
  medcrypt::WriteCiphertextWithSidecar(first->GetOutput(), path);

  const auto withSidecarOf = [&](const auto & other, const std::string & expected)
  {
    medcrypt::WriteSidecarFile({ other->GetSealedHeader(), other->GetEnvelope() }, medcrypt::SidecarPathFor(path));
    try
    {
      medcrypt::ReadCiphertextWithSidecar<CipherImageType>(path, false);
      ADD_FAILURE() << "a foreign sidecar was accepted";
    }
    catch (const medcrypt::UserError & error)
    {
      EXPECT_NE(std::string(error.what()).find(expected), std::string::npos) << error.what();
    }
  };
  withSidecarOf(sameSize, "pixel digest differs");
  withSidecarOf(otherSize, "belongs to another image");
  // A changed ciphertext may be accepted on purpose (network decryption of damaged pixels), but never
  // one of another size.
  medcrypt::WriteSidecarFile({ sameSize->GetSealedHeader(), {} }, medcrypt::SidecarPathFor(path));
  EXPECT_NO_THROW(medcrypt::ReadCiphertextWithSidecar<CipherImageType>(path, true));
}

TEST(Sidecar, DetachedFormatsAndMissingDirectoriesAreRefusedWithoutLeavingFiles)
{
  ScratchDirectory directory;
  const auto encrypt = Encrypt(RandomImage<unsigned char, 2>({ { 45, 37 } }, 24).GetPointer(), TestKey());
  EXPECT_THROW(medcrypt::WriteCiphertextWithSidecar(encrypt->GetOutput(), directory / "cipher.mhd"),
               medcrypt::UserError);
  try
  {
    medcrypt::WriteCiphertextWithSidecar(encrypt->GetOutput(), directory / "missing/cipher.mha");
    FAIL() << "a missing directory was accepted";
  }
  catch (const medcrypt::UserError & error)
  {
    EXPECT_NE(std::string(error.what()).find("does not exist or is not writable"), std::string::npos) << error.what();
  }
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(directory / ""), std::filesystem::directory_iterator()),
            0);
}

} // namespace

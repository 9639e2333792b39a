#include "EvaluationProtocol.h"

#include "EvaluationImagePreparation.h"
#include "ImageReading.h"

#include "itkAdjacentPixelCorrelationCalculator.h"
#include "itkCropAttackImageFilter.h"
#include "itkDifferentialAttackMetricsCalculator.h"
#include "itkGaussianNoiseAttackImageFilter.h"
#include "itkImageEntropyCalculator.h"
#include "itkNeuralDecryptImageFilter.h"
#include "itkNeuralEncryptImageFilter.h"
#include "itkPeakSignalToNoiseRatioCalculator.h"
#include "itkStructuralSimilarityCalculator.h"
#include "medcrypt/SampleType.h"

#include <cstring>
#include <limits>
#include <numeric>
#include <random>
#include <vector>

namespace medcrypt::evaluate
{

namespace
{

using CipherImageType = itk::Image<unsigned short, 2>;
using ByteImageType = itk::Image<unsigned char, 2>;
using ByteDifferentialCalculator = itk::DifferentialAttackMetricsCalculator<ByteImageType>;

/** Turns ITK's warnings off while it lives (the attacked ciphertexts' pixel digests differ by design). */
class SilencedWarnings
{
public:
  SilencedWarnings()
    : m_WasOn(itk::Object::GetGlobalWarningDisplay())
  {
    itk::Object::GlobalWarningDisplayOff();
  }
  ~SilencedWarnings() { itk::Object::SetGlobalWarningDisplay(m_WasOn); }
  SilencedWarnings(const SilencedWarnings &) = delete;
  SilencedWarnings &
  operator=(const SilencedWarnings &) = delete;

private:
  bool m_WasOn;
};

/** Runs a filter's Update(); an itk::ExceptionObject becomes a UserError naming `path`. */
template<typename TFilter>
void
Run(TFilter * filter, const std::string & path)
{
  try
  {
    filter->Update();
  }
  catch (const itk::ExceptionObject & error)
  {
    throw UserError(path + ": " + error.GetDescription());
  }
}

/** A ciphertext with its sealed header and exact envelope (empty when none was made). */
struct Encrypted
{
  CipherImageType::Pointer cipher;
  std::vector<std::uint8_t> header;
  std::vector<std::uint8_t> envelope;
};

/** Encrypts `image`; `offsets` are added to x0_1..x0_4 (the key-sensitivity hook). */
template<typename TImage>
Encrypted
Encrypt(const TImage * image,
        const EvaluationSettings & settings,
        const std::string & path,
        bool envelope,
        const std::array<double, 4> & offsets = {})
{
  auto filter = itk::NeuralEncryptImageFilter<TImage>::New();
  filter->SetInput(image);
  filter->SetModel(settings.model);
  filter->SetUserKey(settings.key);
  filter->SetKeySchedule(settings.schedule);
  filter->SetExactEnvelope(envelope);
  filter->SetInitialValueOffsets(offsets);
  filter->SetFormatVersion(settings.formatVersion);
  Run(filter.GetPointer(), path);
  Encrypted result;
  result.cipher = filter->GetOutput();
  result.cipher->DisconnectPipeline();
  result.header = filter->GetSealedHeader();
  result.envelope = filter->GetEnvelope();
  return result;
}

/** Decrypts `cipher` with `header`: from `envelope` when it is not empty, otherwise with the network,
 * whose feature keys come from `featureKey` when given (the wrong-key experiment), refined by
 * `refinementIterations` defect-correction steps when the ciphertext is unchanged. */
template<typename TImage>
typename TImage::Pointer
Decrypt(const CipherImageType * cipher,
        const Encrypted & encrypted,
        const EvaluationSettings & settings,
        const std::string & path,
        bool envelope,
        unsigned int refinementIterations,
        const UserKey * featureKey = nullptr)
{
  auto filter = itk::NeuralDecryptImageFilter<CipherImageType, TImage>::New();
  filter->SetInput(cipher);
  filter->SetModel(settings.model);
  filter->SetUserKey(settings.key);
  filter->SetSealedHeader(encrypted.header);
  filter->SetEnvelope(envelope ? encrypted.envelope : std::vector<std::uint8_t>{});
  filter->SetUseEnvelope(envelope);
  filter->SetRefinementIterations(refinementIterations);
  if (featureKey != nullptr)
  {
    filter->SetFeatureKeyUserKey(*featureKey);
  }
  Run(filter.GetPointer(), path);
  typename TImage::Pointer output = filter->GetOutput();
  output->DisconnectPipeline();
  return output;
}

/** The 8-bit view of a ciphertext (value >> 8, itk::MedCryptIntensityView) as an image. */
ByteImageType::Pointer
EightBitView(const CipherImageType * cipher)
{
  const itk::MedCryptIntensityView<unsigned short> view(8, 0.0, 0.0);
  auto bytes = ByteImageType::New();
  bytes->SetRegions(cipher->GetLargestPossibleRegion());
  bytes->Allocate();
  const std::size_t count = cipher->GetBufferedRegion().GetNumberOfPixels();
  const unsigned short * from = cipher->GetBufferPointer();
  unsigned char * to = bytes->GetBufferPointer();
  for (std::size_t i = 0; i < count; ++i)
  {
    to[i] = static_cast<unsigned char>(view(from[i]));
  }
  return bytes;
}

/** Pearson correlations of all horizontal, vertical and diagonal neighbour pairs. */
template<typename TImage>
std::array<double, 3>
Correlations(const TImage * image)
{
  auto calculator = itk::AdjacentPixelCorrelationCalculator<TImage>::New();
  calculator->SetImage(image);
  std::array<double, 3> result{};
  const itk::AdjacentPixelDirectionEnum directions[] = { itk::AdjacentPixelDirectionEnum::Horizontal,
                                                         itk::AdjacentPixelDirectionEnum::Vertical,
                                                         itk::AdjacentPixelDirectionEnum::Diagonal };
  for (std::size_t i = 0; i < result.size(); ++i)
  {
    calculator->SetDirection(directions[i]);
    calculator->Compute();
    result[i] = calculator->GetCorrelation();
  }
  return result;
}

/** NPCR/UACI of two ciphertexts' 8-bit views with the Wu-Noonan-Agaian verdicts. */
DifferentialResult
Differential(const ByteImageType * first, const CipherImageType * second)
{
  const auto view = EightBitView(second);
  auto calculator = ByteDifferentialCalculator::New();
  calculator->SetFirstImage(first);
  calculator->SetSecondImage(view);
  calculator->Compute();
  DifferentialResult result;
  result.npcr = calculator->GetNPCR();
  result.uaci = calculator->GetUACI();
  result.npcrPassed = calculator->GetNPCRPassed(SignificanceLevel);
  result.uaciPassed = calculator->GetUACIPassed(SignificanceLevel);
  return result;
}

/** PSNR and SSIM of `decrypted` against `plain` with data range `dataRange`. */
template<typename TImage>
RestorationResult
Restoration(const TImage * plain, const TImage * decrypted, double dataRange)
{
  RestorationResult result;
  auto psnr = itk::PeakSignalToNoiseRatioCalculator<TImage>::New();
  psnr->SetReferenceImage(plain);
  psnr->SetTestImage(decrypted);
  psnr->SetDataRange(dataRange);
  psnr->Compute();
  result.psnr = psnr->GetPSNR();
  auto ssim = itk::StructuralSimilarityCalculator<TImage>::New();
  ssim->SetReferenceImage(plain);
  ssim->SetTestImage(decrypted);
  ssim->SetDataRange(dataRange);
  ssim->Compute();
  result.ssim = ssim->GetSSIM();
  return result;
}

/** A copy of `image` whose pixels at `offsets` (buffer offsets) are changed by one step: +1, or -1 at
 * the type's largest value, for integer types; for floating types one 8-bit level of the image's range
 * ((max - min) / 255, or 1 for a constant image), subtracted instead where adding would overflow. */
template<typename TImage>
typename TImage::Pointer
ChangePixels(const TImage * image, const std::vector<std::size_t> & offsets)
{
  using PixelType = typename TImage::PixelType;
  auto changed = TImage::New();
  changed->CopyInformation(image);
  changed->SetRegions(image->GetLargestPossibleRegion());
  changed->Allocate();
  const std::size_t count = image->GetBufferedRegion().GetNumberOfPixels();
  std::memcpy(changed->GetBufferPointer(), image->GetBufferPointer(), count * sizeof(PixelType));
  double step = 1.0;
  if constexpr (!std::is_integral_v<PixelType>)
  {
    const auto [minimum, maximum] = itk::MedCryptMinimumMaximum(image);
    step = maximum > minimum ? (maximum - minimum) / 255.0 : 1.0;
  }
  PixelType * pixels = changed->GetBufferPointer();
  for (const std::size_t offset : offsets)
  {
    const double value = static_cast<double>(pixels[offset]);
    const double up = value + step;
    pixels[offset] = up <= static_cast<double>(std::numeric_limits<PixelType>::max())
                       ? static_cast<PixelType>(up)
                       : static_cast<PixelType>(value - step);
  }
  return changed;
}

/** `count` distinct buffer offsets out of `pixels`, drawn with a partial Fisher-Yates shuffle from the
 * raw outputs of `random` (whose sequence the standard fixes, unlike its distributions). */
std::vector<std::size_t>
DrawPixels(std::mt19937_64 & random, std::size_t pixels, std::size_t count)
{
  std::vector<std::size_t> order(pixels);
  std::iota(order.begin(), order.end(), std::size_t{ 0 });
  for (std::size_t i = 0; i < count; ++i)
  {
    const std::size_t j = i + static_cast<std::size_t>(random() % (pixels - i));
    std::swap(order[i], order[j]);
  }
  order.resize(count);
  return order;
}

/** A user key whose words come from `random`, with `key`'s mu and burn-in (all else equal). */
UserKey
OtherUserKey(std::mt19937_64 & random, const UserKey & key)
{
  UserKey other = key;
  for (auto & word : other.b)
  {
    word = random();
  }
  if (other.b == key.b)
  {
    other.b[0] ^= 1u;
  }
  return other;
}

/** The experiments on one prepared 2-D image. */
template<typename TPixel>
ImageEvaluation
EvaluatePrepared(const PreparedImage<TPixel> & prepared, const EvaluationSettings & settings, const std::string & path)
{
  using ImageType = itk::Image<TPixel, 2>;
  const ImageType * plain = prepared.image.GetPointer();
  const auto size = plain->GetLargestPossibleRegion().GetSize();
  constexpr unsigned int window = itk::StructuralSimilarityCalculator<ImageType>::WindowSize;
  if (size[0] < window || size[1] < window)
  {
    throw UserError(path + ": is " + std::to_string(size[0]) + " x " + std::to_string(size[1]) +
                    " pixels; SSIM needs at least " + std::to_string(window) + " x " + std::to_string(window) +
                    " (give --size N)");
  }
  ImageEvaluation record;
  record.file = path;
  record.type = ToString(SampleTypeOf<TPixel>());
  record.source = prepared.source;
  record.width = static_cast<unsigned int>(size[0]);
  record.height = static_cast<unsigned int>(size[1]);
  record.dataRange = itk::MedCryptDefaultDataRange(plain);
  if (!(record.dataRange > 0.0))
  {
    throw UserError(path + ": the evaluated image is constant, so PSNR and SSIM have no data range");
  }
  const std::size_t pixels = plain->GetBufferedRegion().GetNumberOfPixels();
  record.thresholds = WuNoonanAgaianThresholds(pixels);
  std::mt19937_64 random(settings.seed);

  // Table 4: the ciphertext's statistics (8-bit view), and the plaintext's correlations for reference.
  const Encrypted encrypted = Encrypt(plain, settings, path, true);
  const auto view = EightBitView(encrypted.cipher);
  auto entropy = itk::ImageEntropyCalculator<ByteImageType>::New();
  entropy->SetImage(view);
  entropy->SetNumberOfBits(8);
  entropy->Compute();
  record.entropy = entropy->GetEntropy();
  record.correlation = Correlations(view.GetPointer());
  record.plainCorrelation = Correlations(plain);

  // Table 5: one changed pixel and 1% changed pixels.
  const auto onePixel = ChangePixels(plain, DrawPixels(random, pixels, 1));
  record.onePixel = Differential(view, Encrypt(onePixel.GetPointer(), settings, path, false).cipher);
  const std::size_t onePercentCount = std::max<std::size_t>(1, (pixels + 50) / 100);
  const auto onePercent = ChangePixels(plain, DrawPixels(random, pixels, onePercentCount));
  record.onePercent = Differential(view, Encrypt(onePercent.GetPointer(), settings, path, false).cipher);

  // Key sensitivity: x0_k + 1e-15, everything else equal, for every x0 the model uses.
  // Version 1: level i's feature key starts from x0_i, so only the x0 of the model's levels enter the
  // ciphertext; versions 2 and 3 key every tile's permutation with all four.
  const std::size_t usedInitialValues = StoresPermutedTiles(settings.formatVersion)
                                          ? std::size_t{ 4 }
                                          : std::min<std::size_t>(4, settings.model->ParameterLengths().size());
  for (std::size_t k = 0; k < usedInitialValues; ++k)
  {
    std::array<double, 4> offsets{};
    offsets[k] = InitialValueChange;
    record.keySensitivity.push_back(Differential(view, Encrypt(plain, settings, path, false, offsets).cipher));
  }

  // Table 2: the network's decryption (refined, and the decoder alone), the wrong key's, and the exact envelope.
  const unsigned int refinement = settings.refinementIterations;
  record.decryption =
    Restoration(plain,
                Decrypt<ImageType>(encrypted.cipher, encrypted, settings, path, false, refinement).GetPointer(),
                record.dataRange);
  record.decoderDecryption = Restoration(
    plain, Decrypt<ImageType>(encrypted.cipher, encrypted, settings, path, false, 0).GetPointer(), record.dataRange);
  const UserKey wrongKey = OtherUserKey(random, settings.key);
  record.wrongKeyPsnr =
    Restoration(
      plain,
      Decrypt<ImageType>(encrypted.cipher, encrypted, settings, path, false, refinement, &wrongKey).GetPointer(),
      record.dataRange)
      .psnr;
  const auto restored = Decrypt<ImageType>(encrypted.cipher, encrypted, settings, path, true, refinement);
  record.envelopeExact =
    restored->GetLargestPossibleRegion() == plain->GetLargestPossibleRegion() &&
    std::memcmp(restored->GetBufferPointer(), plain->GetBufferPointer(), pixels * sizeof(TPixel)) == 0;

  // Table 6: network decryption of cropped and noised ciphertexts.
  const SilencedWarnings silenced;
  for (std::size_t e = 0; e < CropEdges.size(); ++e)
  {
    const itk::CropAttackFillModeEnum modes[] = { itk::CropAttackFillModeEnum::Black,
                                                  itk::CropAttackFillModeEnum::White };
    for (std::size_t m = 0; m < 2; ++m)
    {
      auto crop = itk::CropAttackImageFilter<CipherImageType>::New();
      crop->SetInput(encrypted.cipher);
      crop->SetRectangleSize({ { CropEdges[e], CropEdges[e] } });
      crop->SetFillMode(modes[m]);
      Run(crop.GetPointer(), path);
      record.crops[e][m] =
        Restoration(plain,
                    Decrypt<ImageType>(crop->GetOutput(), encrypted, settings, path, false, refinement).GetPointer(),
                    record.dataRange);
    }
  }
  for (std::size_t n = 0; n < NoisePercents.size(); ++n)
  {
    auto noise = itk::GaussianNoiseAttackImageFilter<CipherImageType>::New();
    noise->SetInput(encrypted.cipher);
    noise->SetPercent(NoisePercents[n]);
    noise->SetSeed(settings.seed);
    Run(noise.GetPointer(), path);
    record.noise[n] =
      Restoration(plain,
                  Decrypt<ImageType>(noise->GetOutput(), encrypted, settings, path, false, refinement).GetPointer(),
                  record.dataRange);
  }
  return record;
}

} // namespace

RandomnessThresholds
WuNoonanAgaianThresholds(std::uint64_t pixels)
{
  constexpr double byteMaximum = 255.0;
  RandomnessThresholds thresholds;
  thresholds.npcrCritical =
    ByteDifferentialCalculator::ComputeNPCRCriticalValue(byteMaximum, static_cast<double>(pixels), SignificanceLevel);
  const auto interval = ByteDifferentialCalculator::ComputeUACICriticalInterval(
    byteMaximum, static_cast<double>(pixels), SignificanceLevel);
  thresholds.uaciLower = interval.first;
  thresholds.uaciUpper = interval.second;
  return thresholds;
}

ImageEvaluation
EvaluateImageFile(const std::string & path, const EvaluationSettings & settings)
{
  try
  {
    return cli::VisitScalarImage(
      path,
      [&](auto image)
      { return EvaluatePrepared(PrepareEvaluationImage(image.GetPointer(), settings.size), settings, path); });
  }
  catch (const itk::ExceptionObject & error)
  {
    throw UserError(path + ": " + error.GetDescription());
  }
}

} // namespace medcrypt::evaluate

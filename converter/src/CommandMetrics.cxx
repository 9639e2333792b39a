// medcrypt metrics: the paper's image metrics (Eq. 8, 10-13, 16-17, 19, 26, 27) of one image or of a
// pair, computed with the ITK calculators of filters/.
#include "Commands.h"
#include "ImageReading.h"

#include "itkAdjacentPixelCorrelationCalculator.h"
#include "itkDifferentialAttackMetricsCalculator.h"
#include "itkImageEntropyCalculator.h"
#include "itkPeakSignalToNoiseRatioCalculator.h"
#include "itkStructuralSimilarityCalculator.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdint>
#include <iostream>
#include <optional>
#include <sstream>

namespace medcrypt::cli
{

namespace
{

using Json = nlohmann::ordered_json;

/** The options that shape the metrics. */
struct MetricsOptions
{
  unsigned int bits = 8;
  std::uint64_t pairs = 0; // 0: every adjacent pair
  std::uint64_t seed = 0;
  std::optional<double> dataRange; // unset: 255 for 8-bit types, else max - min of IMAGE
};

/** The project's name of a pixel type: uint8, int8, uint16, int16, uint32, int32, float, double. */
template<typename TPixel>
std::string
PixelTypeName()
{
  if constexpr (std::is_floating_point_v<TPixel>)
  {
    return sizeof(TPixel) == 4 ? "float" : "double";
  }
  else
  {
    return std::string(std::is_signed_v<TPixel> ? "int" : "uint") + std::to_string(8 * sizeof(TPixel));
  }
}

/** The project's name of a stored component type (uint8 ... double), or ITK's name for others. */
std::string
ComponentName(itk::IOComponentEnum component)
{
  switch (component)
  {
    case itk::IOComponentEnum::UCHAR:
      return "uint8";
    case itk::IOComponentEnum::CHAR:
      return "int8";
    case itk::IOComponentEnum::USHORT:
      return "uint16";
    case itk::IOComponentEnum::SHORT:
      return "int16";
    case itk::IOComponentEnum::UINT:
      return "uint32";
    case itk::IOComponentEnum::INT:
      return "int32";
    case itk::IOComponentEnum::FLOAT:
      return "float";
    case itk::IOComponentEnum::DOUBLE:
      return "double";
    default:
      return itk::ImageIOBase::GetComponentTypeAsString(component);
  }
}

/** A non-negative integer option given as text, parsed strictly (no sign, no trailing text). */
std::uint64_t
ParseCount(const po::variables_map & values, const std::string & name)
{
  const std::string text = values[name].as<std::string>();
  std::uint64_t value = 0;
  try
  {
    if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos)
    {
      throw std::invalid_argument(text);
    }
    value = std::stoull(text);
  }
  catch (const std::exception &)
  {
    throw UserError("--" + name + " " + text + ": give a non-negative whole number (at most 2^64 - 1)");
  }
  return value;
}

/** "256 x 256 x 12". */
std::string
SizeText(const Json & size)
{
  std::string text;
  for (const auto & extent : size)
  {
    text += (text.empty() ? "" : " x ") + std::to_string(extent.get<std::uint64_t>());
  }
  return text;
}

/** The JSON key of a significance level: "0.05", "0.01", "0.001". */
std::string
AlphaKey(double alpha)
{
  std::ostringstream text;
  text << alpha;
  return text.str();
}

/** Refuses option values that cannot apply to `image` (of file `path`), with messages that name
 * the file and the option, before any calculator runs. */
template<typename TImage>
void
CheckSingleImage(const std::string & path, const TImage * image, const MetricsOptions & options)
{
  using PixelType = typename TImage::PixelType;
  const auto size = image->GetBufferedRegion().GetSize();
  if (size[0] < 2 || size[1] < 2 || image->GetBufferedRegion().GetNumberOfPixels() == 0)
  {
    throw UserError(path + ": is " + SizeText(Json(std::vector<itk::SizeValueType>(size.begin(), size.end()))) +
                    " pixels; the adjacent-pixel correlations need slices of at least 2 x 2");
  }
  if (options.bits < 1 || options.bits > itk::MedCryptIntensityView<PixelType>::MaximumNumberOfBits)
  {
    throw UserError("--bits " + std::to_string(options.bits) + ": choose 1 to " +
                    std::to_string(itk::MedCryptIntensityView<PixelType>::MaximumNumberOfBits));
  }
  if constexpr (itk::MedCryptPixelTraits<PixelType>::IsInteger)
  {
    if (options.bits > itk::MedCryptPixelTraits<PixelType>::NumberOfBits)
    {
      throw UserError("--bits " + std::to_string(options.bits) + ": " + path + " has " + PixelTypeName<PixelType>() +
                      " pixels; choose " + std::to_string(itk::MedCryptPixelTraits<PixelType>::NumberOfBits) +
                      " bits or fewer");
    }
  }
}

/** Entropy and the three adjacent correlations of one image, under the single-image JSON keys. */
template<typename TImage>
Json
SingleImageMetrics(const std::string & path, const TImage * image, const MetricsOptions & options)
{
  CheckSingleImage(path, image, options);
  const auto size = image->GetBufferedRegion().GetSize();

  Json report;
  report["image"] = path;
  report["pixel_type"] = PixelTypeName<typename TImage::PixelType>();
  report["size"] = std::vector<itk::SizeValueType>(size.begin(), size.end());

  auto entropy = itk::ImageEntropyCalculator<TImage>::New();
  entropy->SetImage(image);
  entropy->SetNumberOfBits(options.bits);
  entropy->Compute();
  report["entropy"] = entropy->GetEntropy();
  report["entropy_bits"] = options.bits;

  auto correlation = itk::AdjacentPixelCorrelationCalculator<TImage>::New();
  correlation->SetImage(image);
  correlation->SetNumberOfPairs(options.pairs);
  correlation->SetSeed(options.seed);
  const std::pair<const char *, itk::AdjacentPixelDirectionEnum> directions[] = {
    { "corr_h", itk::AdjacentPixelDirectionEnum::Horizontal },
    { "corr_v", itk::AdjacentPixelDirectionEnum::Vertical },
    { "corr_d", itk::AdjacentPixelDirectionEnum::Diagonal }
  };
  for (const auto & [key, direction] : directions)
  {
    correlation->SetDirection(direction);
    correlation->Compute();
    report[key] = correlation->GetCorrelation();
  }
  report["pairs"] = options.pairs;
  return report;
}

/** NPCR/UACI with the Wu-Noonan-Agaian tests, PSNR and SSIM of `image` (reference) and `other`. */
template<typename TImage>
void
AddPairMetrics(Json & report,
               const std::string & path,
               const TImage * image,
               const TImage * other,
               const MetricsOptions & options)
{
  const auto size = image->GetBufferedRegion().GetSize();
  constexpr unsigned int window = itk::StructuralSimilarityCalculator<TImage>::WindowSize;
  if (size[0] < window || size[1] < window)
  {
    throw UserError(path + ": is " + SizeText(report["size"]) + " pixels; SSIM needs slices of at least " +
                    std::to_string(window) + " x " + std::to_string(window) + " (its Gaussian window)");
  }
  const double dataRange = options.dataRange ? *options.dataRange : itk::MedCryptDefaultDataRange(image);
  if (!(dataRange > 0.0))
  {
    throw UserError(path + ": is constant, so the default data range (maximum - minimum) is 0; give --data-range R "
                           "for PSNR and SSIM");
  }

  auto differential = itk::DifferentialAttackMetricsCalculator<TImage>::New();
  differential->SetFirstImage(image);
  differential->SetSecondImage(other);
  differential->Compute();
  report["npcr"] = differential->GetNPCR();
  report["uaci"] = differential->GetUACI();
  const bool criticalValuesDefined = differential->GetMaximumValue() > 0.0;
  Json npcrCritical = Json::object(), npcrPass = Json::object(), uaciInterval = Json::object(),
       uaciPass = Json::object();
  for (const double alpha : itk::DifferentialAttackMetricsCalculator<TImage>::StandardSignificanceLevels)
  {
    const std::string key = AlphaKey(alpha);
    if (criticalValuesDefined)
    {
      const auto interval = differential->GetUACICriticalInterval(alpha);
      npcrCritical[key] = differential->GetNPCRCriticalValue(alpha);
      npcrPass[key] = differential->GetNPCRPassed(alpha);
      uaciInterval[key] = { interval.first, interval.second };
      uaciPass[key] = differential->GetUACIPassed(alpha);
    }
    else
    {
      // Two identical constant floating images: F = 0, no test is defined and none passes.
      npcrCritical[key] = nullptr;
      npcrPass[key] = false;
      uaciInterval[key] = nullptr;
      uaciPass[key] = false;
    }
  }
  report["npcr_critical"] = npcrCritical;
  report["npcr_pass"] = npcrPass;
  report["uaci_interval"] = uaciInterval;
  report["uaci_pass"] = uaciPass;

  auto psnr = itk::PeakSignalToNoiseRatioCalculator<TImage>::New();
  psnr->SetReferenceImage(image);
  psnr->SetTestImage(other);
  psnr->SetDataRange(dataRange);
  psnr->Compute();
  // JSON has no infinity: identical images (PSNR = +inf) print null.
  report["psnr"] = std::isfinite(psnr->GetPSNR()) ? Json(psnr->GetPSNR()) : Json(nullptr);

  auto ssim = itk::StructuralSimilarityCalculator<TImage>::New();
  ssim->SetReferenceImage(image);
  ssim->SetTestImage(other);
  ssim->SetDataRange(dataRange);
  ssim->Compute();
  report["ssim"] = ssim->GetSSIM();
  report["data_range"] = dataRange;
}

/** Reads OTHER as the same pixel type and dimension as IMAGE; refuses a different type or size. */
template<typename TImage>
typename TImage::Pointer
ReadMatchingImage(const std::string & path, const TImage * image, const std::string & otherPath)
{
  using PixelType = typename TImage::PixelType;
  constexpr unsigned int Dimension = TImage::ImageDimension;
  const ImageFileInfo info = ReadImageFileInfo(otherPath);
  const ImageFileInfo reference = ReadImageFileInfo(path);
  if (info.component != reference.component || info.components != reference.components)
  {
    throw UserError(otherPath + ": has " + ComponentName(info.component) + " pixels, " + path + " has " +
                    PixelTypeName<PixelType>() +
                    "; the pair metrics compare images of the same pixel type (cast one first)");
  }
  if (info.dimension != Dimension)
  {
    throw UserError(otherPath + ": is " + std::to_string(info.dimension) + "-D, " + path + " is " +
                    std::to_string(Dimension) + "-D; the pair metrics compare images of the same size");
  }
  auto other = ReadImage<PixelType, Dimension>(otherPath);
  const auto size = image->GetBufferedRegion().GetSize();
  const auto otherSize = other->GetBufferedRegion().GetSize();
  if (size != otherSize)
  {
    throw UserError(otherPath + ": is " +
                    SizeText(Json(std::vector<itk::SizeValueType>(otherSize.begin(), otherSize.end()))) + " pixels, " +
                    path + " is " + SizeText(Json(std::vector<itk::SizeValueType>(size.begin(), size.end()))) +
                    "; the pair metrics compare images of the same size");
  }
  return other;
}

/** A number for the table: fixed with `digits` decimals, a leading space for non-negative values
 * so that signs line up. */
std::string
Signed(const Json & value, int digits)
{
  const double number = value.get<double>();
  return (number < 0.0 ? "" : " ") + Fixed(number, digits);
}

/** A table label padded to one width. */
std::string
Label(const std::string & text)
{
  return "  " + text + std::string(text.size() < 26 ? 26 - text.size() : 1, ' ');
}

/** Prints the single-image metrics of `metrics` as an indented block. */
void
PrintSingleImage(const Json & metrics)
{
  const auto pairs = metrics["pairs"].get<std::uint64_t>();
  std::cout << metrics["image"].get<std::string>() << ": " << metrics["pixel_type"].get<std::string>() << ", "
            << SizeText(metrics["size"]) << "\n"
            << Label("entropy (" + std::to_string(metrics["entropy_bits"].get<unsigned>()) + "-bit view)")
            << Signed(metrics["entropy"], 6) << " bits\n"
            << Label("correlation horizontal") << Signed(metrics["corr_h"], 6) << "\n"
            << Label("correlation vertical") << Signed(metrics["corr_v"], 6) << "\n"
            << Label("correlation diagonal") << Signed(metrics["corr_d"], 6) << "\n"
            << Label("pairs")
            << (pairs == 0 ? std::string(" all adjacent pairs")
                           : " " + std::to_string(pairs) + " random pairs per direction")
            << "\n";
}

/** Prints the pair metrics of `report` as a table. */
void
PrintPair(const Json & report)
{
  std::cout << report["image"].get<std::string>() << " vs " << report["other"]["image"].get<std::string>() << "\n"
            << Label("NPCR") << Signed(report["npcr"], 4) << " %\n"
            << Label("UACI") << Signed(report["uaci"], 4) << " %\n";
  for (const auto & [alpha, critical] : report["npcr_critical"].items())
  {
    const std::string label = Label("Wu-Noonan-Agaian " + alpha);
    if (critical.is_null())
    {
      std::cout << label << " not defined (the images are the same constant)\n";
      continue;
    }
    const auto & interval = report["uaci_interval"][alpha];
    std::cout << label << " NPCR >= " << Fixed(critical.get<double>(), 4) << " % "
              << (report["npcr_pass"][alpha].get<bool>() ? "pass" : "FAIL") << ", UACI in ["
              << Fixed(interval[0].get<double>(), 4) << ", " << Fixed(interval[1].get<double>(), 4) << "] % "
              << (report["uaci_pass"][alpha].get<bool>() ? "pass" : "FAIL") << "\n";
  }
  std::cout << Label("PSNR")
            << (report["psnr"].is_null() ? std::string(" inf (identical images)") : Signed(report["psnr"], 4) + " dB")
            << "\n"
            << Label("SSIM") << Signed(report["ssim"], 6) << "\n"
            << Label("data range (PSNR, SSIM)") << " " << report["data_range"].get<double>() << "\n";
}

} // namespace

int
RunMetrics(const Arguments & arguments)
{
  CommandSpec spec;
  spec.name = "metrics";
  spec.synopsis = "medcrypt metrics [--json] [--bits N] [--pairs N --seed S] [--data-range R] IMAGE [OTHER]";
  spec.summary = "The paper's image metrics. For IMAGE: entropy of its N-bit view (Eq. 8; integer pixels shifted to\n"
                 "unsigned then >> (B - N), floating pixels binned between the image's min and max) and the\n"
                 "horizontal, vertical and diagonal adjacent-pixel correlations (Eq. 10-13; 3-D images pooled over\n"
                 "slices), over all adjacent pairs or, with --pairs N, over N pairs drawn with std::mt19937_64(S)\n"
                 "(the paper uses 10000). With OTHER (same size and pixel type): NPCR and UACI of IMAGE vs OTHER in\n"
                 "percent (Eq. 16-19; F = 2^B - 1 for B-bit integers, max - min of both images for floating types)\n"
                 "with the Wu-Noonan-Agaian critical values at alpha 0.05, 0.01 and 0.001, PSNR (Eq. 27) and mean\n"
                 "SSIM (Eq. 26; 11x11 Gaussian window, valid windows, 3-D: mean over slices) of OTHER against IMAGE,\n"
                 "and the single-image metrics of OTHER. --json prints one object (keys: image, pixel_type, size,\n"
                 "entropy, entropy_bits, corr_h, corr_v, corr_d, pairs; with OTHER also other, npcr, uaci,\n"
                 "npcr_critical, npcr_pass, uaci_interval, uaci_pass, psnr, ssim, data_range); psnr is null when the\n"
                 "images are identical (PSNR = +infinity).";
  spec.options.add_options()("json", po::bool_switch(), "print one JSON object instead of a table")(
    "bits", po::value<unsigned>()->default_value(8), "N, the bits of the intensity view for the entropy")(
    "pairs",
    po::value<std::string>()->value_name("N"),
    "correlations from N random adjacent pairs (default: all pairs)")(
    "seed", po::value<std::string>()->value_name("S"), "seed of the pair sampling (default 0; needs --pairs)")(
    "data-range",
    po::value<double>()->value_name("R"),
    "data range L of PSNR and SSIM (default: 255 for 8-bit pixels, else max - min of IMAGE)")(
    "image", po::value<std::string>()->required(), "image file (MHA, NRRD, NIfTI, PNG, DICOM)")(
    "other", po::value<std::string>(), "second image of the same size and pixel type");
  spec.positional.add("image", 1).add("other", 1);
  const auto values = Parse(spec, arguments);

  MetricsOptions options;
  options.bits = values["bits"].as<unsigned>();
  if (values.count("pairs"))
  {
    options.pairs = ParseCount(values, "pairs");
    constexpr std::uint64_t mostPairs = 100000000; // 800 MB of drawn positions
    if (options.pairs > mostPairs)
    {
      throw UserError("--pairs " + std::to_string(options.pairs) + ": at most " + std::to_string(mostPairs) +
                      " (the paper samples 10000; without --pairs every adjacent pair is used)");
    }
  }
  if (values.count("seed"))
  {
    if (options.pairs == 0)
    {
      throw UserError("--seed chooses the random pairs of --pairs N; give --pairs N too (without it every pair is "
                      "used)");
    }
    options.seed = ParseCount(values, "seed");
  }
  const std::string path = values["image"].as<std::string>();
  const bool hasOther = values.count("other") > 0;
  if (values.count("data-range"))
  {
    if (!hasOther)
    {
      throw UserError("--data-range sets L of PSNR and SSIM, which compare two images: give OTHER too");
    }
    options.dataRange = values["data-range"].as<double>();
    if (!(*options.dataRange > 0.0) || !std::isfinite(*options.dataRange))
    {
      throw UserError("--data-range " + Fixed(*options.dataRange, 6) + ": give a positive finite number");
    }
  }

  Json report = VisitScalarImage(path,
                                 [&](auto image)
                                 {
                                   Json result = SingleImageMetrics(path, image.GetPointer(), options);
                                   if (hasOther)
                                   {
                                     const std::string otherPath = values["other"].as<std::string>();
                                     const auto other = ReadMatchingImage(path, image.GetPointer(), otherPath);
                                     result["other"] = SingleImageMetrics(otherPath, other.GetPointer(), options);
                                     AddPairMetrics(result, path, image.GetPointer(), other.GetPointer(), options);
                                   }
                                   return result;
                                 });

  if (values["json"].as<bool>())
  {
    std::cout << report.dump(2) << std::endl;
    return 0;
  }
  PrintSingleImage(report);
  if (hasOther)
  {
    PrintSingleImage(report["other"]);
    PrintPair(report);
  }
  return 0;
}

} // namespace medcrypt::cli

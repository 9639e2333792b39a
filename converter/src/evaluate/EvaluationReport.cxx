#include "EvaluationReport.h"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <limits>
#include <ostream>
#include <sstream>

namespace medcrypt::evaluate
{

namespace
{

using Json = nlohmann::ordered_json;

/** A number for JSON: null when it is not finite (JSON has no infinity). */
Json
Number(double value)
{
  return std::isfinite(value) ? Json(value) : Json(nullptr);
}

/** A JSON number as a double; null (an infinite PSNR) reads as +infinity. */
double
ValueOf(const Json & value)
{
  return value.is_null() ? std::numeric_limits<double>::infinity() : value.get<double>();
}

/** "crop50", "noise1", ... */
std::string
CropKey(unsigned int edge)
{
  return "crop" + std::to_string(edge);
}
std::string
NoiseKey(double percent)
{
  std::ostringstream text;
  text << "noise" << percent;
  return text.str();
}

/** The keys of the per-image scalars whose mean the summary holds. */
std::vector<std::string>
MeanKeys()
{
  std::vector<std::string> keys = { "entropy",      "corr_h",       "corr_v",       "corr_d",
                                    "plain_corr_h", "plain_corr_v", "plain_corr_d", "npcr",
                                    "uaci",         "npcr_1pct",    "uaci_1pct",    "wrong_key_psnr",
                                    "psnr",         "ssim",         "decoder_psnr", "decoder_ssim" };
  for (const unsigned int edge : CropEdges)
  {
    for (const char * part : { "", "_black", "_white" })
    {
      keys.push_back(CropKey(edge) + part + "_psnr");
      keys.push_back(CropKey(edge) + part + "_ssim");
    }
  }
  for (const double percent : NoisePercents)
  {
    keys.push_back(NoiseKey(percent) + "_psnr");
    keys.push_back(NoiseKey(percent) + "_ssim");
  }
  return keys;
}

/** Fixed-point text with `digits` decimals; "inf" for +infinity, "n/a" for null. */
std::string
Fixed(const Json & value, int digits)
{
  if (value.is_null())
  {
    return "inf";
  }
  std::ostringstream text;
  text << std::fixed << std::setprecision(digits) << value.get<double>();
  return text.str();
}

/** "k/n". */
std::string
Count(const Json & passed, const Json & total)
{
  return std::to_string(passed.get<int>()) + "/" + std::to_string(total.get<int>());
}

/** "yes" or "no". */
std::string
Verdict(bool passed)
{
  return passed ? "yes" : "no";
}

/** One Markdown table row. */
void
Row(std::ostream & out, const std::vector<std::string> & cells)
{
  out << "|";
  for (const auto & cell : cells)
  {
    out << " " << cell << " |";
  }
  out << "\n";
}

} // namespace

Json
ImageRecordJson(const ImageEvaluation & image)
{
  Json record;
  record["file"] = image.file;
  record["source"] = image.source;
  record["width"] = image.width;
  record["height"] = image.height;
  record["type"] = image.type;
  record["data_range"] = image.dataRange;
  record["entropy"] = image.entropy;
  record["corr_h"] = image.correlation[0];
  record["corr_v"] = image.correlation[1];
  record["corr_d"] = image.correlation[2];
  record["plain_corr_h"] = image.plainCorrelation[0];
  record["plain_corr_v"] = image.plainCorrelation[1];
  record["plain_corr_d"] = image.plainCorrelation[2];
  record["npcr_critical"] = image.thresholds.npcrCritical;
  record["uaci_interval"] = { image.thresholds.uaciLower, image.thresholds.uaciUpper };
  record["npcr"] = image.onePixel.npcr;
  record["uaci"] = image.onePixel.uaci;
  record["npcr_pass"] = image.onePixel.npcrPassed;
  record["uaci_pass"] = image.onePixel.uaciPassed;
  record["npcr_1pct"] = image.onePercent.npcr;
  record["uaci_1pct"] = image.onePercent.uaci;
  record["npcr_1pct_pass"] = image.onePercent.npcrPassed;
  record["uaci_1pct_pass"] = image.onePercent.uaciPassed;
  Json keyNpcr = Json::array(), keyUaci = Json::array(), keyNpcrPass = Json::array(), keyUaciPass = Json::array();
  for (const auto & result : image.keySensitivity)
  {
    keyNpcr.push_back(result.npcr);
    keyUaci.push_back(result.uaci);
    keyNpcrPass.push_back(result.npcrPassed);
    keyUaciPass.push_back(result.uaciPassed);
  }
  record["key_npcr"] = keyNpcr;
  record["key_uaci"] = keyUaci;
  record["key_npcr_pass"] = keyNpcrPass;
  record["key_uaci_pass"] = keyUaciPass;
  record["wrong_key_psnr"] = Number(image.wrongKeyPsnr);
  record["psnr"] = Number(image.decryption.psnr);
  record["ssim"] = image.decryption.ssim;
  record["decoder_psnr"] = Number(image.decoderDecryption.psnr);
  record["decoder_ssim"] = image.decoderDecryption.ssim;
  record["envelope_exact"] = image.envelopeExact;
  for (std::size_t e = 0; e < CropEdges.size(); ++e)
  {
    const auto & [black, white] = image.crops[e];
    const std::string key = CropKey(CropEdges[e]);
    record[key + "_black_psnr"] = Number(black.psnr);
    record[key + "_black_ssim"] = black.ssim;
    record[key + "_white_psnr"] = Number(white.psnr);
    record[key + "_white_ssim"] = white.ssim;
    record[key + "_psnr"] = Number((black.psnr + white.psnr) / 2.0);
    record[key + "_ssim"] = (black.ssim + white.ssim) / 2.0;
  }
  for (std::size_t n = 0; n < NoisePercents.size(); ++n)
  {
    record[NoiseKey(NoisePercents[n]) + "_psnr"] = Number(image.noise[n].psnr);
    record[NoiseKey(NoisePercents[n]) + "_ssim"] = image.noise[n].ssim;
  }
  return record;
}

Json
SummaryJson(const std::vector<ImageEvaluation> & images)
{
  std::vector<Json> records;
  for (const auto & image : images)
  {
    records.push_back(ImageRecordJson(image));
  }
  Json summary;
  summary["images"] = images.size();
  const double count = static_cast<double>(images.size());
  for (const auto & key : MeanKeys())
  {
    double sum = 0.0;
    for (const auto & record : records)
    {
      sum += ValueOf(record[key]);
    }
    summary[key] = Number(records.empty() ? std::nan("") : sum / count);
  }
  for (const std::string name : { "npcr", "uaci" })
  {
    const std::string key = "key_" + name;
    double sum = 0.0;
    double minimum = std::numeric_limits<double>::infinity();
    double maximum = -std::numeric_limits<double>::infinity();
    std::size_t values = 0;
    for (const auto & record : records)
    {
      for (const auto & value : record[key])
      {
        const double v = value.get<double>();
        sum += v;
        minimum = std::min(minimum, v);
        maximum = std::max(maximum, v);
        ++values;
      }
    }
    summary[key] = Number(values == 0 ? std::nan("") : sum / static_cast<double>(values));
    summary[key + "_min"] = Number(minimum);
    summary[key + "_max"] = Number(maximum);
  }
  bool allExact = !records.empty();
  int passed[6] = {};
  const char * passKeys[4] = { "npcr_pass", "uaci_pass", "npcr_1pct_pass", "uaci_1pct_pass" };
  for (const auto & record : records)
  {
    allExact = allExact && record["envelope_exact"].get<bool>();
    for (int i = 0; i < 4; ++i)
    {
      passed[i] += record[passKeys[i]].get<bool>() ? 1 : 0;
    }
    for (const auto & value : record["key_npcr_pass"])
    {
      passed[4] += value.get<bool>() ? 1 : 0;
    }
    for (const auto & value : record["key_uaci_pass"])
    {
      passed[5] += value.get<bool>() ? 1 : 0;
    }
  }
  summary["envelope_exact"] = allExact;
  summary["npcr_passed"] = passed[0];
  summary["uaci_passed"] = passed[1];
  summary["npcr_1pct_passed"] = passed[2];
  summary["uaci_1pct_passed"] = passed[3];
  summary["key_npcr_passed"] = passed[4];
  summary["key_uaci_passed"] = passed[5];
  std::size_t keyTests = 0;
  for (const auto & image : images)
  {
    keyTests += image.keySensitivity.size();
  }
  summary["key_tests"] = keyTests;
  return summary;
}

Json
ReportJson(const EvaluationRun & run)
{
  Json report;
  report["model"] = { { "file", run.modelFile },
                      { "id", run.modelId },
                      { "config", Json::parse(run.modelConfigurationJson) } };
  report["key_schedule"] = ToString(run.schedule);
  report["size"] = run.size;
  report["seed"] = run.seed;
  report["refinement_iterations"] = run.refinementIterations;
  report["format_version"] = run.formatVersion;
  report["alpha"] = SignificanceLevel;
  Json images = Json::array();
  for (const auto & image : run.images)
  {
    images.push_back(ImageRecordJson(image));
  }
  report["images"] = images;
  report["summary"] = SummaryJson(run.images);
  return report;
}

void
WriteMarkdownReport(const EvaluationRun & run, std::ostream & out)
{
  const Json summary = SummaryJson(run.images);
  const Json & s = summary;

  // The Wu-Noonan-Agaian thresholds: one set when every image has the same number of pixels.
  std::string npcrTarget = "passes NPCR* of its size";
  std::string uaciTarget = "inside the UACI interval of its size";
  bool oneSize = !run.images.empty();
  for (const auto & image : run.images)
  {
    oneSize = oneSize && image.width * image.height == run.images.front().width * run.images.front().height;
  }
  if (oneSize)
  {
    const auto & t = run.images.front().thresholds;
    npcrTarget = ">= " + Fixed(t.npcrCritical, 4) + "%";
    uaciTarget = "in [" + Fixed(t.uaciLower, 4) + "%, " + Fixed(t.uaciUpper, 4) + "%]";
  }
  const auto psnrSsim = [&](const std::string & key)
  { return Fixed(s[key + "_psnr"], 2) + " dB / " + Fixed(s[key + "_ssim"], 4); };
  const auto atLeast = [&](const std::string & key, double limit) { return Verdict(ValueOf(s[key]) >= limit); };
  const auto above = [&](const std::string & key, double limit) { return Verdict(ValueOf(s[key]) > limit); };
  const auto within = [&](const std::string & key) { return Verdict(std::abs(ValueOf(s[key])) <= 0.01); };

  out << "## medcrypt evaluate: " << run.images.size() << " image(s), model " << run.modelId.substr(0, 12)
      << ", key schedule " << ToString(run.schedule) << ", size "
      << (run.size == 0 ? std::string("native") : std::to_string(run.size) + " x " + std::to_string(run.size))
      << ", seed " << run.seed << ", refinement iterations " << run.refinementIterations << ", format version "
      << run.formatVersion << "\n\n";
  Row(out, { "metric", "paper", "target", "measured (mean)", "pass" });
  Row(out, { "---", "---", "---", "---", "---" });
  Row(out,
      { "ciphertext entropy (8-bit)",
        "7.9949",
        ">= 7.9965 (ideal 7.9972)",
        Fixed(s["entropy"], 4),
        atLeast("entropy", 7.9965) });
  Row(out, { "adjacent correlation H", "0.0014", "within +-0.01", Fixed(s["corr_h"], 4), within("corr_h") });
  Row(out, { "adjacent correlation V", "-0.0007", "within +-0.01", Fixed(s["corr_v"], 4), within("corr_v") });
  Row(out, { "adjacent correlation D", "0.0002", "within +-0.01", Fixed(s["corr_d"], 4), within("corr_d") });
  Row(out,
      { "plaintext correlation H / V / D",
        "0.9766 / 0.9900 / 0.9792",
        "(reference)",
        Fixed(s["plain_corr_h"], 4) + " / " + Fixed(s["plain_corr_v"], 4) + " / " + Fixed(s["plain_corr_d"], 4),
        "-" });
  Row(out,
      { "NPCR, one pixel changed",
        "99.55%",
        npcrTarget,
        Fixed(s["npcr"], 4) + "%",
        Count(s["npcr_passed"], s["images"]) });
  Row(out,
      { "UACI, one pixel changed",
        "33.02%",
        uaciTarget,
        Fixed(s["uaci"], 4) + "%",
        Count(s["uaci_passed"], s["images"]) });
  Row(out,
      { "NPCR, 1% pixels changed",
        "99.58%",
        npcrTarget,
        Fixed(s["npcr_1pct"], 4) + "%",
        Count(s["npcr_1pct_passed"], s["images"]) });
  Row(out,
      { "UACI, 1% pixels changed",
        "32.97%",
        uaciTarget,
        Fixed(s["uaci_1pct"], 4) + "%",
        Count(s["uaci_1pct_passed"], s["images"]) });
  Row(out,
      { "key sensitivity NPCR (one x0 + 1e-15)",
        "99.54-99.63%",
        npcrTarget,
        Fixed(s["key_npcr"], 4) + "% (" + Fixed(s["key_npcr_min"], 4) + "-" + Fixed(s["key_npcr_max"], 4) + ")",
        Count(s["key_npcr_passed"], s["key_tests"]) });
  Row(out,
      { "key sensitivity UACI (one x0 + 1e-15)",
        "32.54-33.28%",
        uaciTarget,
        Fixed(s["key_uaci"], 4) + "% (" + Fixed(s["key_uaci_min"], 4) + "-" + Fixed(s["key_uaci_max"], 4) + ")",
        Count(s["key_uaci_passed"], s["key_tests"]) });
  Row(out, { "wrong-key decryption PSNR", "n/a (figure)", "-", Fixed(s["wrong_key_psnr"], 2) + " dB", "-" });
  Row(out,
      { "decryption PSNR, network only", "30.99 dB", ">= 32 dB", Fixed(s["psnr"], 2) + " dB", atLeast("psnr", 32.0) });
  Row(out, { "decryption SSIM, network only", "0.945", ">= 0.95", Fixed(s["ssim"], 4), atLeast("ssim", 0.95) });
  Row(out,
      { "decryption PSNR / SSIM, decoder alone (no refinement)",
        "30.99 dB / 0.945",
        "(reference)",
        Fixed(s["decoder_psnr"], 2) + " dB / " + Fixed(s["decoder_ssim"], 4),
        "-" });
  Row(out,
      { "decryption with the exact envelope",
        "n/a",
        "bit-exact",
        s["envelope_exact"].get<bool>() ? "bit-exact" : "NOT bit-exact",
        Verdict(s["envelope_exact"].get<bool>()) });
  Row(out, { "30x30 crop (black, white mean), PSNR / SSIM", "31.64 dB / 0.9401", "-", psnrSsim("crop30"), "-" });
  Row(out,
      { "50x50 black crop, PSNR / SSIM",
        "30.22 dB / 0.9244",
        ">= 30 dB",
        psnrSsim("crop50_black"),
        atLeast("crop50_black_psnr", 30.0) });
  Row(out,
      { "50x50 white crop, PSNR / SSIM",
        "30.29 dB / 0.9250",
        ">= 30 dB",
        psnrSsim("crop50_white"),
        atLeast("crop50_white_psnr", 30.0) });
  Row(out,
      { "100x100 black crop, PSNR / SSIM",
        "13.98 dB / 0.2056",
        "> 13.98 dB (better than the paper)",
        psnrSsim("crop100_black"),
        above("crop100_black_psnr", 13.98) });
  Row(out,
      { "100x100 white crop, PSNR / SSIM",
        "11.08 dB / 0.1004",
        "> 11.08 dB (better than the paper)",
        psnrSsim("crop100_white"),
        above("crop100_white_psnr", 11.08) });
  Row(out,
      { "1% Gaussian noise, PSNR / SSIM",
        "31.39 dB / 0.9377",
        ">= 30 dB",
        psnrSsim("noise1"),
        atLeast("noise1_psnr", 30.0) });
  Row(out,
      { "10% Gaussian noise, PSNR / SSIM",
        "10.01 dB / 0.0635",
        "> 10.01 dB (better than the paper)",
        psnrSsim("noise10"),
        above("noise10_psnr", 10.01) });
  out << "\nNPCR/UACI and the ciphertext statistics use the 8-bit view of the ciphertext (value >> 8); the\n"
         "pass column of NPCR/UACI counts the images (key sensitivity: image x x0 pairs) passing Wu, Noonan\n"
         "and Agaian's tests at alpha = 0.05 for the image's size. The paper's values and the targets\n"
         "(docs: scheme.md section 7) are for 256 x 256 images; PSNR/SSIM use L = 255 for 8-bit images and\n"
         "max - min of the plaintext otherwise. Noise: standard deviation in percent of the ciphertext range.\n"
         "The network's decryption of an unchanged ciphertext is refined by defect correction, as medcrypt\n"
         "decrypt does (--refinement-iterations; docs/design.md). Cropped and noised ciphertexts, whose pixel\n"
         "digest no longer matches, are refined where their sealed pool digests show them intact (format\n"
         "version 4; a 16 x 16 stored pool with any changed pixel takes no part) and decrypted by the decoder\n"
         "alone in earlier versions.\n";
  const std::size_t usedInitialValues = run.images.empty() ? 4 : run.images.front().keySensitivity.size();
  if (usedInitialValues < 4)
  {
    out << "Key sensitivity covers x0_1..x0_" << usedInitialValues << ": this model has " << usedInitialValues
        << " levels and level i's feature key starts from x0_i, so in format version 1 the other x0 do not enter "
           "the ciphertext.\n";
  }
  out << "\n";

  Row(out,
      { "file",
        "size",
        "type",
        "entropy",
        "corr H / V / D",
        "NPCR",
        "UACI",
        "key NPCR min",
        "wrong-key PSNR",
        "PSNR",
        "SSIM",
        "exact",
        "50x50 crop PSNR",
        "1% noise PSNR" });
  Row(out, std::vector<std::string>(14, "---"));
  for (const auto & image : run.images)
  {
    const Json r = ImageRecordJson(image);
    double keyMinimum = std::numeric_limits<double>::infinity();
    for (const auto & value : r["key_npcr"])
    {
      keyMinimum = std::min(keyMinimum, value.get<double>());
    }
    Row(out,
        { image.file + (image.source == "2-D" ? "" : " (" + image.source + ")"),
          std::to_string(image.width) + " x " + std::to_string(image.height),
          image.type,
          Fixed(r["entropy"], 4),
          Fixed(r["corr_h"], 4) + " / " + Fixed(r["corr_v"], 4) + " / " + Fixed(r["corr_d"], 4),
          Fixed(r["npcr"], 4) + "%",
          Fixed(r["uaci"], 4) + "%",
          Fixed(Json(keyMinimum), 4) + "%",
          Fixed(r["wrong_key_psnr"], 2) + " dB",
          Fixed(r["psnr"], 2) + " dB",
          Fixed(r["ssim"], 4),
          Verdict(image.envelopeExact),
          Fixed(r["crop50_psnr"], 2) + " dB",
          Fixed(r["noise1_psnr"], 2) + " dB" });
  }
}

} // namespace medcrypt::evaluate

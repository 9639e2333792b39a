#ifndef medcrypt_EvaluationReport_h
#define medcrypt_EvaluationReport_h

// The report of `medcrypt evaluate`: per-image records and their means as JSON, and the Markdown
// table of the paper's values, the targets of the design (scheme.md section 7) and the measurements.

#include "EvaluationProtocol.h"

#include <nlohmann/json.hpp>

#include <iosfwd>
#include <string>
#include <vector>

namespace medcrypt::evaluate
{

/** One run of the evaluation: the model, the settings and the records of the evaluated images. */
struct EvaluationRun
{
  std::string modelFile;
  std::string modelId;
  std::string modelConfigurationJson; // NeuralCipher::ConfigurationJson()
  KeySchedule schedule = KeySchedule::Hardened;
  unsigned int size = 0;
  std::uint64_t seed = 0;
  unsigned int refinementIterations = 0; // of the network's decryption of unchanged ciphertexts
  std::uint32_t formatVersion = 0;       // the cipher format version of the ciphertexts
  std::vector<ImageEvaluation> images;
};

/** One image's record under the report's keys (file, source, width, height, type, data_range, entropy,
 * corr_h/v/d, plain_corr_h/v/d, npcr_critical, uaci_interval, npcr, uaci, npcr_pass, uaci_pass,
 * npcr_1pct, uaci_1pct (and _pass), key_npcr, key_uaci (one value per x0 the model uses, and _pass),
 * wrong_key_psnr,
 * psnr, ssim, decoder_psnr, decoder_ssim, envelope_exact, crop{30,50,100}_{black,white}_{psnr,ssim},
 * crop{30,50,100}_{psnr,ssim} (mean of black and white), noise{1,10}_{psnr,ssim}). An infinite PSNR is written as null.
 */
nlohmann::ordered_json
ImageRecordJson(const ImageEvaluation & image);

/** The means over `images` of the per-image values (key_npcr and key_uaci: over the evaluated x0 of
 * every image, with their minimum and maximum), envelope_exact (true when every image was bit-exact), the
 * pass counts npcr_passed, uaci_passed, npcr_1pct_passed, uaci_1pct_passed (of `images`),
 * key_npcr_passed, key_uaci_passed (of key_tests, the number of key-sensitivity pairs), and images. */
nlohmann::ordered_json
SummaryJson(const std::vector<ImageEvaluation> & images);

/** The whole report: {"model": {file, id, config}, "key_schedule", "size", "seed", "alpha",
 * "images": [...], "summary": {...}}. */
nlohmann::ordered_json
ReportJson(const EvaluationRun & run);

/** The Markdown report: the table metric | paper | target | measured (mean) | pass, notes on the
 * thresholds, and a table of the main values of every image. */
void
WriteMarkdownReport(const EvaluationRun & run, std::ostream & out);

} // namespace medcrypt::evaluate

#endif

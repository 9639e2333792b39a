#ifndef medcrypt_EvaluationProtocol_h
#define medcrypt_EvaluationProtocol_h

// The experiments of `medcrypt evaluate` on one image: the paper's Tables 2, 4, 5 and 6 (entropy and
// adjacent correlations of the ciphertext, NPCR/UACI for a changed pixel, 1% changed pixels and a
// changed x0, wrong-key decryption, network decryption, the exact envelope, cropping and noise).

#include "medcrypt/CipherHeader.h"
#include "medcrypt/FeatureKeys.h"
#include "medcrypt/NeuralCipher.h"
#include "medcrypt/UserKey.h"

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace medcrypt::evaluate
{

/** What the experiments on every image share. */
struct EvaluationSettings
{
  std::shared_ptr<const NeuralCipher> model;
  UserKey key;
  KeySchedule schedule = KeySchedule::Hardened;
  unsigned int size = 0;  // edge N of the evaluated images; 0 keeps the native size
  std::uint64_t seed = 0; // changed pixels, the wrong key and the noise
  // Defect-correction steps of the network's decryption of unchanged ciphertexts (the decrypt default);
  // the attacked ciphertexts are decrypted by the decoder alone, as medcrypt decrypt does.
  unsigned int refinementIterations = DefaultRefinementIterations;
  // Cipher format version of the ciphertexts: 2 stores each tile under its keyed permutation, 1 the
  // network's ciphertext as it comes out (CipherHeader.h).
  std::uint32_t formatVersion = CipherHeaderVersion;
};

/** The significance level of the Wu-Noonan-Agaian tests. */
constexpr double SignificanceLevel = 0.05;
/** The change of one x0 in the key-sensitivity experiment (paper section IV.C). */
constexpr double InitialValueChange = 1e-15;
/** The edges of the centred crop attacks (paper Table 6). */
constexpr std::array<unsigned int, 3> CropEdges{ 30, 50, 100 };
/** The Gaussian noise attacks, standard deviation in percent of the ciphertext's range (Table 6). */
constexpr std::array<double, 2> NoisePercents{ 1.0, 10.0 };

/** Wu, Noonan and Agaian's acceptance region at SignificanceLevel for 8-bit views of `pixels` pixels
 * (F = 255), in percent, from itk::DifferentialAttackMetricsCalculator. */
struct RandomnessThresholds
{
  double npcrCritical = 0.0; // NPCR passes when >= this
  double uaciLower = 0.0;    // UACI passes inside [uaciLower, uaciUpper]
  double uaciUpper = 0.0;
};

/** The thresholds for `pixels` pixels (256 x 256: 99.5693 % and [33.2824 %, 33.6447 %]). */
RandomnessThresholds
WuNoonanAgaianThresholds(std::uint64_t pixels);

/** NPCR and UACI (percent) of two ciphertexts' 8-bit views and the tests' verdicts. */
struct DifferentialResult
{
  double npcr = 0.0;
  double uaci = 0.0;
  bool npcrPassed = false;
  bool uaciPassed = false;
};

/** PSNR (dB; +infinity when identical) and mean SSIM of a decryption against the plaintext. */
struct RestorationResult
{
  double psnr = 0.0;
  double ssim = 0.0;
};

/** Everything measured on one image. Ciphertext metrics use the 8-bit view (value >> 8). */
struct ImageEvaluation
{
  std::string file;
  std::string type;   // stored pixel type: uint8, int16, ...
  std::string source; // how the evaluated 2-D image came from the file
  unsigned int width = 0;
  unsigned int height = 0;
  double dataRange = 0.0; // L of PSNR and SSIM
  double entropy = 0.0;
  std::array<double, 3> correlation{};      // ciphertext, horizontal / vertical / diagonal
  std::array<double, 3> plainCorrelation{}; // plaintext, for reference
  RandomnessThresholds thresholds;
  DifferentialResult onePixel;
  DifferentialResult onePercent;
  // x0_k + InitialValueChange for k = 1..min(4, levels of the model): level i's feature key starts
  // from x0_min(i, 4), so a model of fewer than 4 levels does not use the other x0.
  std::vector<DifferentialResult> keySensitivity;
  double wrongKeyPsnr = 0.0;
  RestorationResult decryption;        // network only, refined by settings.refinementIterations steps
  RestorationResult decoderDecryption; // network only, the decoder alone (no refinement)
  bool envelopeExact = false;
  std::array<std::array<RestorationResult, 2>, CropEdges.size()> crops{}; // [edge][black, white]
  std::array<RestorationResult, NoisePercents.size()> noise{};
};

/** Reads `path` (any scalar type ITK reads, 2-D or 3-D), prepares the image (middle slice of a volume,
 * resampled to settings.size) and runs every experiment. The generators start from settings.seed for
 * each image, so an image's record does not depend on the other images. UserError when the file
 * cannot be read, is not a scalar 2-D/3-D image, is constant (no data range) or is smaller than SSIM's
 * 11 x 11 window. The pixel-digest warnings of the attacked decryptions are silenced. */
ImageEvaluation
EvaluateImageFile(const std::string & path, const EvaluationSettings & settings);

} // namespace medcrypt::evaluate

#endif

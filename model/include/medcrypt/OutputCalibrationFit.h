#ifndef medcrypt_OutputCalibrationFit_h
#define medcrypt_OutputCalibrationFit_h

// Fitting a network's output calibration (OutputCalibration.h) on ciphertexts of training images.

#include "medcrypt/CipherNet.h"
#include "medcrypt/TrainingImageSource.h"

#include <cstdint>

namespace medcrypt
{

/** What a fit measured: the pooled 8-bit histogram of the sampled ciphertexts before and after. */
struct OutputCalibrationFit
{
  torch::Tensor knots;          // the fitted calibration [S + 1]
  std::int64_t tiles = 0;       // ciphertext tiles sampled
  double entropyBefore = 0.0;   // Shannon entropy (bits) of their pooled 8-bit histogram, uncalibrated
  double entropyAfter = 0.0;    // the same with the fitted calibration (in-sample)
  double outerBinsBefore = 0.0; // mean density of the 8-bit bins 0 and 255 relative to uniform, uncalibrated
};

/** Encrypts `tiles` random tile-sized crops of `source` (no augmentation but flips and turns), each under
 * random feature keys, and fits the calibration that makes the network's uncalibrated output uniform on
 * them (FitOutputCalibration). `net` is not changed; its current calibration is undone first, so a
 * calibrated model can be fitted again after more training. Deterministic for a seed. */
OutputCalibrationFit
FitOutputCalibrationOnImages(CipherNet & net, TrainingImageSource & source, std::int64_t tiles, std::uint64_t seed);

} // namespace medcrypt

#endif

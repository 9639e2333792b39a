#ifndef medcrypt_OutputCalibration_h
#define medcrypt_OutputCalibration_h

// The ciphertext's output calibration: a fixed, public, strictly increasing piecewise-linear map F of
// [0, 1] onto itself, applied to the network's sigmoid output before the ciphertext is quantised, and
// F^-1 before decryption. It is fitted once per model on training ciphertexts (`medcrypt calibrate`) so
// that their values are uniform: the trained network's output histogram is U-shaped (about 1.3 times
// the uniform density in the outermost 8-bit bins, 0.93 times in the middle, the same in every image),
// which alone costs 0.003 bit of ciphertext entropy (docs/design.md, "output calibration"). F is no key
// and hides nothing; it only removes a histogram bias that every ciphertext of the model shares.
//
// F is given by its knots x_0 = 0 < x_1 < ... < x_S = 1: F(x_k) = k / S, linear between knots. The
// identity (x_k = k / S) is what a model without a fitted calibration holds.

#include <torch/torch.h>

#include <string>

namespace medcrypt
{

/** The name of the knots among a network's buffers and in a model file. Model files from before the
 * calibration existed lack it and load with the identity; the identity adds nothing to a model id, so
 * those models keep theirs. */
constexpr const char * OutputCalibrationName = "output_calibration";

/** S, the number of linear segments of every calibration. */
constexpr int OutputCalibrationSegments = 1024;

/** The smallest gap between neighbouring knots that a fitted calibration keeps (so that F^-1 is never
 * flatter than this times S, and F never steeper than 1 / (gap S)). */
constexpr double OutputCalibrationMinimumGap = 1e-6;

/** The identity calibration: knots k / S, k = 0..S, as a float32 CPU tensor [S + 1]. */
torch::Tensor
IdentityOutputCalibration();

/** Whether `knots` are exactly the identity's. */
bool
IsIdentityOutputCalibration(const torch::Tensor & knots);

/** Throws UserError (naming `origin`) unless `knots` is a finite [S + 1] tensor that starts at 0, ends
 * at 1 and rises strictly. */
void
ValidateOutputCalibration(const torch::Tensor & knots, const std::string & origin);

/** F(values) for values in [0, 1] (any shape; differentiable in values almost everywhere). */
torch::Tensor
ApplyOutputCalibration(const torch::Tensor & values, const torch::Tensor & knots);

/** F^-1(values) for values in [0, 1]: ApplyOutputCalibration's inverse. */
torch::Tensor
InvertOutputCalibration(const torch::Tensor & values, const torch::Tensor & knots);

/** The calibration that makes `samples` (any shape, values in [0, 1]) uniform: knot k is their k / S
 * quantile, the first and last set to 0 and 1 and neighbours kept at least OutputCalibrationMinimumGap
 * apart. Throws UserError when there are fewer than S samples. */
torch::Tensor
FitOutputCalibration(const torch::Tensor & samples);

} // namespace medcrypt

#endif

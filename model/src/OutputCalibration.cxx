#include "medcrypt/OutputCalibration.h"

#include "medcrypt/Error.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace medcrypt
{

namespace
{

/** Index k of the segment [x_k, x_k+1] that holds each value (the last segment holds 1). */
torch::Tensor
SegmentOf(const torch::Tensor & values, const torch::Tensor & knots)
{
  const torch::Tensor inner = knots.slice(0, 1, OutputCalibrationSegments);
  return torch::bucketize(values.detach().contiguous(), inner, /*out_int32=*/false, /*right=*/true);
}

} // namespace

torch::Tensor
IdentityOutputCalibration()
{
  return torch::arange(0, OutputCalibrationSegments + 1, torch::kFloat64)
    .div(OutputCalibrationSegments)
    .to(torch::kFloat32);
}

bool
IsIdentityOutputCalibration(const torch::Tensor & knots)
{
  return knots.dim() == 1 && knots.size(0) == OutputCalibrationSegments + 1 &&
         torch::equal(knots.detach().to(torch::kCPU, torch::kFloat32), IdentityOutputCalibration());
}

void
ValidateOutputCalibration(const torch::Tensor & knots, const std::string & origin)
{
  if (knots.dim() != 1 || knots.size(0) != OutputCalibrationSegments + 1)
  {
    throw UserError(origin + ": the output calibration must hold " + std::to_string(OutputCalibrationSegments + 1) +
                    " knots");
  }
  const torch::Tensor values = knots.detach().to(torch::kCPU, torch::kFloat64);
  const bool finite = torch::isfinite(values).all().item<bool>();
  const bool rising = (values.slice(0, 1) > values.slice(0, 0, -1)).all().item<bool>();
  if (!finite || !rising || values[0].item<double>() != 0.0 || values[-1].item<double>() != 1.0)
  {
    throw UserError(origin + ": the output calibration is not a rising map of [0, 1] onto itself; the file is "
                             "damaged, or calibrate the model again with 'medcrypt calibrate'");
  }
}

torch::Tensor
ApplyOutputCalibration(const torch::Tensor & values, const torch::Tensor & knots)
{
  const torch::Tensor table = knots.to(values.device(), values.scalar_type());
  const torch::Tensor segment = SegmentOf(values, table);
  const torch::Tensor low = table.index({ segment });
  const torch::Tensor high = table.index({ segment + 1 });
  const torch::Tensor within = (values - low) / (high - low);
  return (segment.to(values.scalar_type()) + within) / OutputCalibrationSegments;
}

torch::Tensor
InvertOutputCalibration(const torch::Tensor & values, const torch::Tensor & knots)
{
  const torch::Tensor table = knots.to(values.device(), values.scalar_type());
  const torch::Tensor scaled = values * OutputCalibrationSegments;
  const torch::Tensor segment = scaled.detach().floor().clamp(0, OutputCalibrationSegments - 1).to(torch::kLong);
  const torch::Tensor low = table.index({ segment });
  const torch::Tensor high = table.index({ segment + 1 });
  return low + (scaled - segment.to(values.scalar_type())) * (high - low);
}

torch::Tensor
FitOutputCalibration(const torch::Tensor & samples)
{
  const torch::Tensor flat = samples.detach().to(torch::kCPU, torch::kFloat64).flatten();
  if (flat.numel() < OutputCalibrationSegments)
  {
    throw UserError("the output calibration needs at least " + std::to_string(OutputCalibrationSegments) +
                    " sample values, got " + std::to_string(flat.numel()));
  }
  const torch::Tensor sorted = std::get<0>(flat.clamp(0.0, 1.0).sort());
  const auto count = sorted.size(0);
  const double * data = sorted.data_ptr<double>();
  std::vector<double> knots(OutputCalibrationSegments + 1);
  for (int k = 1; k < OutputCalibrationSegments; ++k)
  {
    // the k / S quantile, linear between order statistics
    const double position = static_cast<double>(k) * static_cast<double>(count - 1) / OutputCalibrationSegments;
    const auto below = static_cast<std::int64_t>(std::floor(position));
    const auto above = std::min<std::int64_t>(below + 1, count - 1);
    knots[k] = data[below] + (position - static_cast<double>(below)) * (data[above] - data[below]);
  }
  knots.front() = 0.0;
  knots.back() = 1.0;
  // Keep every knot at least the minimum gap above its left neighbour and below 1 by the gaps still to
  // come, so that the map rises strictly even where the samples pile up (a saturated sigmoid at 0 or 1).
  for (int k = 1; k < OutputCalibrationSegments; ++k)
  {
    const double ceiling = 1.0 - (OutputCalibrationSegments - k) * OutputCalibrationMinimumGap;
    knots[k] = std::min(std::max(knots[k], knots[k - 1] + OutputCalibrationMinimumGap), ceiling);
  }
  const torch::Tensor fitted = torch::tensor(knots, torch::TensorOptions().dtype(torch::kFloat64)).to(torch::kFloat32);
  ValidateOutputCalibration(fitted, "fitted output calibration");
  return fitted;
}

} // namespace medcrypt

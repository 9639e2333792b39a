#include "medcrypt/ModelWidening.h"

#include "medcrypt/Error.h"

#include <map>
#include <string>

namespace medcrypt
{

namespace
{

/** Which dimension of a convolution's weight holds its output channels and which its inputs. */
struct ChannelAxes
{
  int64_t output = 0;
  int64_t input = 1;
};

/** The channel axes of every convolution weight and bias in `net`, by parameter name. */
std::map<std::string, ChannelAxes>
ConvolutionParameterAxes(CipherNet & net)
{
  std::map<std::string, ChannelAxes> axes;
  for (const auto & item : net->named_modules())
  {
    ChannelAxes moduleAxes;
    if (item.value()->as<torch::nn::Conv2d>() != nullptr)
    {
      moduleAxes = ChannelAxes{ 0, 1 };
    }
    else if (item.value()->as<torch::nn::ConvTranspose2d>() != nullptr)
    {
      moduleAxes = ChannelAxes{ 1, 0 }; // LibTorch stores transposed weights as [in, out, kH, kW]
    }
    else
    {
      continue;
    }
    const std::string prefix = item.key().empty() ? "" : item.key() + ".";
    axes[prefix + "weight"] = moduleAxes;
    axes[prefix + "bias"] = ChannelAxes{ 0, -1 };
  }
  return axes;
}

/** The leading block of `tensor` with the extents of `shape`. */
torch::Tensor
LeadingBlock(torch::Tensor tensor, torch::IntArrayRef shape)
{
  for (int64_t d = 0; d < static_cast<int64_t>(shape.size()); ++d)
  {
    tensor = tensor.narrow(d, 0, shape[d]);
  }
  return tensor;
}

} // namespace

void
CopyWeightsWidening(CipherNet & wide, const CipherNet & narrow)
{
  torch::NoGradGuard noGrad;
  const auto trained = narrow->named_parameters();
  const auto axes = ConvolutionParameterAxes(wide);
  for (auto & item : wide->named_parameters())
  {
    const std::string & name = item.key();
    const torch::Tensor * source = trained.find(name);
    if (source == nullptr)
    {
      throw UserError("cannot widen the model: it has no weight " + name);
    }
    torch::Tensor target = item.value();
    if (source->sizes() == target.sizes())
    {
      target.copy_(*source);
      continue;
    }
    const auto found = axes.find(name);
    bool fits = found != axes.end() && source->dim() == target.dim();
    for (int64_t d = 0; fits && d < target.dim(); ++d)
    {
      fits = source->size(d) <= target.size(d);
    }
    if (!fits)
    {
      throw UserError("cannot widen the model: weight " + name + " cannot grow from its shape in the trained model");
    }
    const ChannelAxes channel = found->second;
    if (channel.input >= 0 && target.size(channel.input) > source->size(channel.input))
    {
      // trained outputs must not see the new inputs
      target.narrow(channel.output, 0, source->size(channel.output))
        .narrow(channel.input, source->size(channel.input), target.size(channel.input) - source->size(channel.input))
        .zero_();
    }
    LeadingBlock(target, source->sizes()).copy_(*source);
  }
  const auto trainedBuffers = narrow->named_buffers();
  for (auto & item : wide->named_buffers())
  {
    const torch::Tensor * source = trainedBuffers.find(item.key());
    if (source == nullptr || source->sizes() != item.value().sizes())
    {
      throw UserError("cannot widen the model: buffer " + item.key() + " differs");
    }
    item.value().copy_(*source);
  }
}

} // namespace medcrypt

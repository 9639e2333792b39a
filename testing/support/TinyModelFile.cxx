#include "TinyModelFile.h"

#include "medcrypt/CipherNet.h"
#include "medcrypt/ModelConfig.h"
#include "medcrypt/ModelFile.h"

#include <torch/torch.h>

namespace medcrypt::testing
{

std::string
WriteTinyModelFile(const std::string & path, std::uint64_t seed)
{
  torch::manual_seed(seed);
  CipherNet net(ModelConfigPreset("tiny"));
  return SaveModelFile(net, path);
}

} // namespace medcrypt::testing

#include "medcrypt/EncryptionFit.h"

#include <algorithm>

namespace medcrypt
{

std::pair<torch::Tensor, int>
FitEncryption(CipherNetImpl & net,
              const torch::Tensor & cipher,
              const std::vector<torch::Tensor> & keys,
              const torch::Tensor & start,
              int iterations,
              std::chrono::steady_clock::time_point deadline)
{
  constexpr int IterationsPerStep = 20;
  torch::Tensor x = start.detach().clone().requires_grad_(true);
  const torch::Tensor target = cipher.detach();
  torch::optim::LBFGS optimiser({ x },
                                torch::optim::LBFGSOptions(1.0)
                                  .max_iter(std::min(iterations, IterationsPerStep))
                                  .history_size(20)
                                  .line_search_fn("strong_wolfe"));
  int done = 0;
  while (done < iterations && std::chrono::steady_clock::now() < deadline)
  {
    const int now = std::min(iterations - done, IterationsPerStep);
    static_cast<torch::optim::LBFGSOptions &>(optimiser.param_groups()[0].options()).max_iter(now);
    optimiser.step(
      [&]
      {
        torch::AutoGradMode gradients(true);
        // Scaled so that the loss is well above float32's resolution near the optimum.
        torch::Tensor loss = (net.encrypt(x.clamp(0.0, 1.0), keys).cipher - target).pow(2).mean() * 1e6;
        x.mutable_grad() = torch::autograd::grad({ loss }, { x })[0];
        return loss.detach();
      });
    done += now;
  }
  return { x.detach().clamp(0.0, 1.0), done };
}

} // namespace medcrypt

#include "medcrypt/ModelAveraging.h"

#include "medcrypt/Error.h"

#include <string>

namespace medcrypt
{

namespace
{

/** Every parameter and buffer by name (named_parameters and named_buffers, recursively). */
std::vector<std::pair<std::string, torch::Tensor>>
NamedTensors(const CipherNet & net)
{
  std::vector<std::pair<std::string, torch::Tensor>> tensors;
  for (const auto & item : net->named_parameters())
  {
    tensors.emplace_back(item.key(), item.value());
  }
  for (const auto & item : net->named_buffers())
  {
    tensors.emplace_back(item.key(), item.value());
  }
  return tensors;
}

bool
SameInEveryModel(const std::vector<std::vector<std::pair<std::string, torch::Tensor>>> & tensors, std::size_t index)
{
  for (std::size_t model = 1; model < tensors.size(); ++model)
  {
    if (!torch::equal(tensors[model][index].second, tensors[0][index].second))
    {
      return false;
    }
  }
  return true;
}

} // namespace

CipherNet
AverageModels(const std::vector<CipherNet> & models)
{
  if (models.size() < 2)
  {
    throw UserError("averaging needs at least two models, got " + std::to_string(models.size()));
  }
  const ModelConfig & config = models.front()->config();
  for (const auto & model : models)
  {
    if (model->config() != config)
    {
      throw UserError("the models to average have different configurations (preset " + config.preset + " and " +
                      model->config().preset + "): only snapshots of one network can be averaged");
    }
  }
  std::vector<std::vector<std::pair<std::string, torch::Tensor>>> tensors;
  for (const auto & model : models)
  {
    tensors.push_back(NamedTensors(model));
  }
  CipherNet averaged(config);
  const auto targets = NamedTensors(averaged);
  torch::NoGradGuard noGradients;
  for (std::size_t i = 0; i < targets.size(); ++i)
  {
    torch::Tensor target = targets[i].second;
    for (const auto & model : tensors)
    {
      if (model.at(i).first != targets[i].first)
      {
        throw UserError("the models to average name their weights differently (" + model.at(i).first + " and " +
                        targets[i].first + ")");
      }
    }
    if (SameInEveryModel(tensors, i))
    {
      target.copy_(tensors[0][i].second);
      continue;
    }
    torch::Tensor sum = torch::zeros(target.sizes(), target.options().dtype(torch::kFloat64));
    for (const auto & model : tensors)
    {
      sum += model[i].second.to(torch::kFloat64);
    }
    target.copy_(sum / static_cast<double>(tensors.size()));
  }
  return averaged;
}

} // namespace medcrypt

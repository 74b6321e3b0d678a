#include "train/optimizer.h"

namespace cola::train {

std::unique_ptr<FusedAdamW> make_adamw(torch::nn::Module& model,
                                       const config::TrainingConfig& cfg) {
  std::vector<torch::Tensor> decay, no_decay;
  for (const auto& item : model.named_parameters()) {
    const auto& name = item.key();
    const bool is_bias = name.ends_with(".bias");
    const bool is_norm = name.find("LayerNorm") != std::string::npos;
    (is_bias || is_norm ? no_decay : decay).push_back(item.value());
  }
  auto base = torch::optim::AdamWOptions(cfg.lr).betas({0.9, 0.999}).eps(1e-8);
  std::vector<torch::optim::OptimizerParamGroup> groups;
  groups.emplace_back(decay, std::make_unique<torch::optim::AdamWOptions>(
                                 torch::optim::AdamWOptions(base).weight_decay(cfg.weight_decay)));
  groups.emplace_back(no_decay, std::make_unique<torch::optim::AdamWOptions>(
                                    torch::optim::AdamWOptions(base).weight_decay(0.0)));
  return std::make_unique<FusedAdamW>(std::move(groups), base);
}

void set_learning_rate(torch::optim::AdamW& optimizer, double lr) {
  for (auto& group : optimizer.param_groups()) {
    static_cast<torch::optim::AdamWOptions&>(group.options()).lr(lr);
  }
}

}  // namespace cola::train

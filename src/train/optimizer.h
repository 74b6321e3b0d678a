#pragma once
#include <torch/nn/module.h>
#include <torch/optim/adamw.h>

#include <memory>

#include "config/schema.h"

namespace cola::train {

/// AdamW with two parameter groups, as Hugging Face's Trainer builds it: weight decay on weights,
/// none on biases and LayerNorm parameters (decaying those only hurts).
std::unique_ptr<torch::optim::AdamW> make_adamw(torch::nn::Module& model,
                                                const config::TrainingConfig& cfg);

/// Sets the learning rate of every parameter group.
void set_learning_rate(torch::optim::AdamW& optimizer, double lr);

}  // namespace cola::train

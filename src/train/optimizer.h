#pragma once
// AdamW for training: LibTorch's algorithm and state, with the update fused into one pass.
//
// torch::optim::AdamW (1.13) updates each parameter with about ten separate tensor operations,
// each a full pass over memory, and clip_grad_norm_ adds two more. For bert-tiny, 89% of whose 4.4M
// parameters are the word embeddings, that was 20% of a CoLA epoch. FusedAdamW keeps LibTorch's
// state objects (so optimizer.pt stays LibTorch's format and torch::optim::AdamW can load it) and
// does the same arithmetic element by element in one parallel pass, scaling the gradient for
// clipping as it reads it.
#include <torch/nn/module.h>
#include <torch/optim/adamw.h>

#include <memory>
#include <vector>

#include "config/schema.h"

namespace cola::train {

class FusedAdamW : public torch::optim::AdamW {
 public:
  using AdamW::AdamW;

  /// One update, as torch::optim::AdamW::step (amsgrad is not supported). Parameters without a
  /// gradient are skipped, as LibTorch does.
  torch::Tensor step(LossClosure closure = nullptr) override;
  /// Like step() with every gradient multiplied by `grad_scale` first (without changing it).
  void step_scaled(double grad_scale);
  /// Drops the gradients (LibTorch 1.13's zero_grad fills them with zeros instead): the next
  /// backward pass then stores its gradients rather than adding them to zeros.
  void clear_grad();
};

/// The L2 norm of all gradients taken together, as clip_grad_norm_ computes it (parameters without
/// a gradient count as zero). Summed in fixed blocks, so the value does not depend on the threads.
double grad_norm(const std::vector<torch::Tensor>& params);

/// The factor clip_grad_norm_ would scale gradients by: min(1, max_norm / (norm + 1e-6)).
double clip_factor(double norm, double max_norm);

/// AdamW with two parameter groups, as Hugging Face's Trainer builds it: weight decay on weights,
/// none on biases and LayerNorm parameters (decaying those only hurts).
std::unique_ptr<FusedAdamW> make_adamw(torch::nn::Module& model, const config::TrainingConfig& cfg);

/// Sets the learning rate of every parameter group.
void set_learning_rate(torch::optim::AdamW& optimizer, double lr);

}  // namespace cola::train

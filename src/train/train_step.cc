#include "train/train_step.h"

#include <torch/nn/functional/loss.h>

#include <cmath>

namespace cola::train {

StepOutcome train_step(model::BertForSequenceClassification& model, FusedAdamW& optimizer,
                       const BatchTensors& batch, double max_grad_norm) {
  const auto logits = model->forward(batch.input_ids, batch.attention_mask);
  const auto loss = torch::nn::functional::cross_entropy(logits, batch.labels);
  StepOutcome out;
  out.loss = loss.item<double>();
  out.correct = logits.argmax(-1).eq(batch.labels).sum().item<int64_t>();
  if (!std::isfinite(out.loss)) {
    out.finite = false;
    return out;
  }
  optimizer.clear_grad();
  loss.backward();
  // Clipping as clip_grad_norm_ computes it, folded into the optimizer's pass over the gradients.
  const double scale =
      max_grad_norm > 0 ? clip_factor(grad_norm(model->parameters()), max_grad_norm) : 1.0;
  optimizer.step_scaled(scale);
  return out;
}

}  // namespace cola::train

#pragma once
// One optimizer step, shared by the trainer and bench/train_bench.cc so that the benchmark
// measures exactly the trainer's path.
#include "model/bert.h"
#include "train/batch_tensors.h"
#include "train/optimizer.h"

namespace cola::train {

struct StepOutcome {
  double loss = 0;      // mean cross-entropy of the batch, before the update
  int64_t correct = 0;  // predictions equal to the label, before the update
  bool finite = true;   // false: the loss was NaN or Inf and nothing was updated
};

/// Forward, cross-entropy, backward, gradient clipping to `max_grad_norm` (0 = none) and one
/// FusedAdamW step at the optimizer's current learning rate. A non-finite loss returns before
/// any gradient or weight changes.
StepOutcome train_step(model::BertForSequenceClassification& model, FusedAdamW& optimizer,
                       const BatchTensors& batch, double max_grad_norm);

}  // namespace cola::train

#pragma once
// One optimizer step, shared by the trainer and bench/train_bench.cc so that the benchmark
// measures exactly the trainer's path.
#include <vector>

#include "model/bert.h"
#include "train/batch_tensors.h"
#include "train/grad_sync.h"
#include "train/optimizer.h"

namespace cola::train {

struct StepOutcome {
  double loss = 0;       // mean cross-entropy of the batch, before the update
  int64_t correct = 0;   // predictions equal to the label, before the update
  bool finite = true;    // false: the loss or the gradient norm was NaN or Inf; nothing updated
  double grad_norm = 0;  // the gradients' L2 norm before clipping (0 when the loss was not finite)
  bool stop = false;     // some rank asked to stop after this step (Ctrl-C); distributed only
  SyncCost sync;         // the gradient all-reduce's cost; distributed only
};

/// This process's part in a multi-process step: rank r of w takes rows [n r / w, n (r + 1) / w)
/// of every batch, which every rank forms whole, as the replica threads take their rows.
struct RankStep {
  GradientSync& sync;
  int rank = 0;
  int world_size = 1;
  bool stop_requested = false;  // this rank's Ctrl-C; every rank stops when any asks
};

/// Copies of a model for data-parallel steps. Each shares the model's parameter storage, so the
/// optimizer's in-place update reaches all of them, but keeps its own gradients, so that they can
/// run backward at once on their own threads.
///
/// Why: bert-tiny's matrices are too small for LibTorch to split one step over 2 cores well (1.15x
/// from a second thread), while two halves of a batch, one per core, are independent.
class Replicas {
 public:
  /// `extra` copies of `model` (0: none, the step runs on the model alone).
  Replicas(const model::BertForSequenceClassification& model, int extra);
  size_t size() const { return copies_.size(); }

 private:
  friend StepOutcome train_step(model::BertForSequenceClassification&, FusedAdamW&,
                                const BatchTensors&, double, Replicas*, RankStep*);
  std::vector<model::BertForSequenceClassification> copies_;
};

/// Forward, cross-entropy, backward, gradient clipping to `max_grad_norm` (0 = none) and one
/// FusedAdamW step at the optimizer's current learning rate. A non-finite loss or gradient norm
/// (an overflow in backward with a finite loss) leaves the weights as they were.
///
/// With replicas, the batch's rows are split between the model (on this thread) and its replicas
/// (a thread each), their gradients summed into the model's, then one step is taken. Dropout masks
/// are the whole batch's (model::BatchSlice), so the result equals the single-thread step up to
/// the order of float additions. Run it with one LibTorch thread per replica.
///
/// With `rank`, this process runs only its rows of the batch (split further over its replicas),
/// with the whole batch's dropout masks and loss scale, and the gradients, loss and accuracy are
/// summed over the ranks before the update. Every rank then takes the same step, so the weights
/// stay equal everywhere and the run does not depend on the world size.
StepOutcome train_step(model::BertForSequenceClassification& model, FusedAdamW& optimizer,
                       const BatchTensors& batch, double max_grad_norm,
                       Replicas* replicas = nullptr, RankStep* rank = nullptr);

}  // namespace cola::train

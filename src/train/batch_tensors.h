#pragma once
// Views of a data::Batch as LibTorch tensors, without copying: the batch owns the buffers and
// outlives the step that uses the views.
#include <torch/types.h>

#include "data/batcher.h"

namespace cola::train {

struct BatchTensors {
  torch::Tensor input_ids;       // [B, S] int64
  torch::Tensor attention_mask;  // [B, S] int64
  torch::Tensor labels;          // [B] int64
};

/// Wraps the batch's buffers (no copy).
inline BatchTensors as_tensors(data::Batch& batch) {
  const auto& in = batch.inputs;
  const auto opts = torch::TensorOptions().dtype(torch::kInt64);
  return {torch::from_blob(batch.inputs.input_ids.data(), {in.batch, in.seq_len}, opts),
          torch::from_blob(batch.inputs.attention_mask.data(), {in.batch, in.seq_len}, opts),
          torch::from_blob(batch.labels.data(), {static_cast<int64_t>(batch.labels.size())}, opts)};
}

}  // namespace cola::train

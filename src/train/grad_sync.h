#pragma once
// Data-parallel gradient all-reduce over the job's process group, once per step after backward.
// Dense gradients go in flat buckets (as PyTorch's DDP buckets them, 25 MB by default), so a
// bert-base step is a few large collectives rather than ~200 small ones. The word-embedding
// gradient is sparse (a batch touches a few hundred of 30k rows): it goes as indices and rows, or
// dense where that is fewer bytes.
#include <torch/types.h>

#include <cstdint>
#include <vector>

#include "train/process_group.h"

namespace cola::train {

/// training.embedding_allreduce: how the sparse word-embedding gradient crosses the network.
enum class EmbeddingReduce {
  automatic,  // per step, whichever moves fewer bytes (bounded by the batch's token count)
  sparse,     // indices and rows, gathered from every rank and summed (Gloo's sparse all-reduce)
  dense,      // the whole [vocab, hidden] table, summed like every other gradient
};
EmbeddingReduce parse_embedding_reduce(const std::string& name);

/// What one step's all-reduce cost this rank.
struct SyncCost {
  double seconds = 0;             // from the first copy into a bucket to the last result
  int64_t bytes = 0;              // payload this rank contributed (dense buckets + sparse rows)
  bool sparse_embedding = false;  // the embedding gradient went as indices and rows
};

class GradientSync {
 public:
  /// `params`: the model's parameters, in the same order on every rank. `sparse_param`: the index
  /// of the one whose gradient may be sparse (the word embeddings), or -1.
  GradientSync(ProcessGroup& group, std::vector<torch::Tensor> params, int64_t sparse_param,
               EmbeddingReduce mode, int64_t bucket_bytes = int64_t{25} << 20);

  /// Replaces every parameter's gradient with its sum over the ranks, and sums `stats` (the
  /// step's loss sum, correct count and stop flag) with it. An undefined gradient counts as zeros:
  /// a rank whose loss was not finite skipped backward, and its NaN loss sum stops every rank.
  /// `batch_tokens` (rows x length of the whole batch, the same on every rank) bounds the
  /// embedding rows each rank sends, so every rank makes the same sparse-or-dense choice.
  SyncCost reduce(std::vector<double>& stats, int64_t batch_tokens);

 private:
  struct Bucket {
    std::vector<size_t> params;  // indices into params_
    torch::Tensor flat;          // their gradients end to end, float32
  };
  bool embedding_goes_sparse(int64_t batch_tokens) const;

  ProcessGroup& group_;
  std::vector<torch::Tensor> params_;
  int64_t sparse_param_;
  EmbeddingReduce mode_;
  std::vector<Bucket> buckets_;
};

}  // namespace cola::train

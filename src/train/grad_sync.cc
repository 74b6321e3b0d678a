#include "train/grad_sync.h"

#include <fmt/format.h>

#include <chrono>

#include "core/clock.h"
#include "core/error.h"

namespace cola::train {

EmbeddingReduce parse_embedding_reduce(const std::string& name) {
  if (name == "auto") return EmbeddingReduce::automatic;
  if (name == "sparse") return EmbeddingReduce::sparse;
  if (name == "dense") return EmbeddingReduce::dense;
  throw UsageError(
      fmt::format("training.embedding_allreduce={}: expected one of auto, sparse, dense", name));
}

GradientSync::GradientSync(ProcessGroup& group, std::vector<torch::Tensor> params,
                           int64_t sparse_param, EmbeddingReduce mode, int64_t bucket_bytes)
    : group_(group), params_(std::move(params)), sparse_param_(sparse_param), mode_(mode) {
  std::vector<size_t> members;
  int64_t numel = 0;
  const auto close_bucket = [&] {
    if (members.empty()) return;
    buckets_.push_back({std::move(members), torch::empty({numel}, torch::kFloat32)});
    members.clear();
    numel = 0;
  };
  for (size_t i = 0; i < params_.size(); ++i) {
    if (static_cast<int64_t>(i) == sparse_param_) continue;
    if (params_[i].scalar_type() != torch::kFloat32) {
      throw Error(fmt::format("gradient all-reduce: parameter {} is {}, not float32", i,
                              c10::toString(params_[i].scalar_type())));
    }
    if (numel > 0 && (numel + params_[i].numel()) * 4 > bucket_bytes) close_bucket();
    members.push_back(i);
    numel += params_[i].numel();
  }
  close_bucket();
}

bool GradientSync::embedding_goes_sparse(int64_t batch_tokens) const {
  if (mode_ != EmbeddingReduce::automatic) return mode_ == EmbeddingReduce::sparse;
  const auto& table = params_[static_cast<size_t>(sparse_param_)];
  const int64_t row_bytes = table.size(1) * 4 + 8;  // a row and its int64 index
  // Gloo's sparse all-reduce gathers every rank's rows (all of them together hold at most the
  // batch's tokens); a ring all-reduce of the dense table moves about twice its size.
  const int64_t sparse_bytes = batch_tokens * row_bytes;
  const int64_t dense_bytes = 2 * table.numel() * 4;
  return sparse_bytes < dense_bytes;
}

SyncCost GradientSync::reduce(std::vector<double>& stats, int64_t batch_tokens) {
  const auto start = std::chrono::steady_clock::now();
  SyncCost cost;
  std::vector<PendingReduce> pending;
  // Every rank must start the same collectives in the same order: Gloo pairs them by sequence.
  for (auto& bucket : buckets_) {
    int64_t offset = 0;
    for (const size_t i : bucket.params) {
      const auto n = params_[i].numel();
      auto slot = bucket.flat.narrow(0, offset, n);
      const auto& g = params_[i].grad();
      if (g.defined()) {
        slot.copy_(g.reshape(-1));
      } else {
        slot.zero_();
      }
      offset += n;
    }
    cost.bytes += bucket.flat.numel() * 4;
    pending.push_back(group_.all_reduce({bucket.flat}));
  }
  auto stat_tensor = torch::tensor(stats, torch::kFloat64);
  pending.push_back(group_.all_reduce({stat_tensor}));
  torch::Tensor embedding;
  if (sparse_param_ >= 0) {
    auto& table = params_[static_cast<size_t>(sparse_param_)];
    const auto& g = table.grad();
    cost.sparse_embedding = embedding_goes_sparse(batch_tokens);
    if (cost.sparse_embedding) {
      embedding = g.defined() && g.is_sparse()
                      ? g.coalesce()
                      : (g.defined() ? g.to_sparse() : torch::zeros_like(table).to_sparse());
      cost.bytes += embedding._nnz() * (table.size(1) * 4 + 8);
    } else {
      embedding = !g.defined() ? torch::zeros_like(table) : (g.is_sparse() ? g.to_dense() : g);
      cost.bytes += embedding.numel() * 4;
    }
    pending.push_back(group_.all_reduce({embedding}));
  }
  std::vector<std::vector<torch::Tensor>> results;
  results.reserve(pending.size());
  for (auto& p : pending) results.push_back(p.wait());
  for (size_t b = 0; b < buckets_.size(); ++b) {
    int64_t offset = 0;
    for (const size_t i : buckets_[b].params) {
      auto& p = params_[i];
      const auto summed = buckets_[b].flat.narrow(0, offset, p.numel()).view(p.sizes());
      auto& g = p.mutable_grad();
      if (g.defined()) {
        g.copy_(summed);
      } else {
        g = summed.clone();
      }
      offset += p.numel();
    }
  }
  const auto* summed_stats = stat_tensor.data_ptr<double>();
  for (size_t i = 0; i < stats.size(); ++i) stats[i] = summed_stats[i];
  if (sparse_param_ >= 0) {
    params_[static_cast<size_t>(sparse_param_)].mutable_grad() = results.back().at(0);
  }
  cost.seconds = core::seconds_since(start);
  return cost;
}

}  // namespace cola::train

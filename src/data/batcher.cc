#include "data/batcher.h"

#include <fmt/format.h>

#include <algorithm>
#include <numeric>

#include "core/error.h"
#include "data/shuffle.h"

namespace cola::data {
namespace {

std::vector<int64_t> all_rows(int64_t n) {
  std::vector<int64_t> rows(static_cast<size_t>(n));
  std::iota(rows.begin(), rows.end(), 0);
  return rows;
}

void check_positive(const char* key, int64_t value, int64_t min) {
  if (value < min) throw UsageError(fmt::format("{} must be at least {}, got {}", key, min, value));
}

}  // namespace

double PaddingStats::efficiency() const {
  return padded_tokens == 0 ? 0.0
                            : static_cast<double>(real_tokens) / static_cast<double>(padded_tokens);
}

Batcher::Batcher(TokenizedSplit data, const config::DataConfig& cfg, int64_t pad_id)
    : data_(std::move(data)),
      batch_size_(cfg.batch_size),
      max_length_(cfg.max_length),
      bucket_window_(cfg.bucket_window),
      pad_id_(pad_id),
      padding_(text::parse_padding(cfg.padding)) {
  check_positive("data.batch_size", batch_size_, 1);
  check_positive("data.max_length", max_length_, 1);
  check_positive("data.bucket_window", bucket_window_, 0);
  if (data_.ids.size() != data_.labels.size()) {
    throw Error(fmt::format("batcher: {} token sequences but {} labels", data_.ids.size(),
                            data_.labels.size()));
  }
  for (size_t i = 0; i < data_.ids.size(); ++i) {
    const auto n = static_cast<int64_t>(data_.ids[i].size());
    if (n > max_length_) {
      throw Error(
          fmt::format("batcher: row {} has {} tokens, more than data.max_length={} "
                      "(the tokenizer should have truncated it)",
                      i, n, max_length_));
    }
  }
}

void Batcher::sort_by_length(std::span<int64_t> rows) const {
  // Stable, so rows of equal length keep their (shuffled or input) order.
  std::stable_sort(rows.begin(), rows.end(),
                   [&](int64_t a, int64_t b) { return data_.ids[a].size() < data_.ids[b].size(); });
}

BatchPlan Batcher::cut(std::span<const int64_t> rows) const {
  BatchPlan plan;
  for (size_t start = 0; start < rows.size(); start += static_cast<size_t>(batch_size_)) {
    const auto sub = rows.subspan(start, std::min(rows.size() - start, size_t(batch_size_)));
    plan.emplace_back(sub.begin(), sub.end());
  }
  return plan;
}

BatchPlan Batcher::train_plan(uint64_t seed, int64_t epoch) const {
  auto rng = epoch_rng(seed, epoch);
  std::vector<int64_t> rows = all_rows(size());
  shuffle(std::span(rows), rng);
  if (bucket_window_ == 0) return cut(rows);
  const size_t window = static_cast<size_t>(bucket_window_ * batch_size_);
  BatchPlan plan;
  for (size_t start = 0; start < rows.size(); start += window) {
    const auto bucket = std::span(rows).subspan(start, std::min(window, rows.size() - start));
    sort_by_length(bucket);
    for (auto& batch : cut(bucket)) plan.push_back(std::move(batch));
  }
  // Without this, each window would run from its shortest batch to its longest.
  shuffle(std::span(plan), rng);
  return plan;
}

BatchPlan Batcher::eval_plan(EvalOrder order) const {
  std::vector<int64_t> rows = all_rows(size());
  if (order == EvalOrder::by_length) sort_by_length(rows);
  return cut(rows);
}

void Batcher::make_batch(std::span<const int64_t> rows, Batch& out) const {
  std::vector<std::span<const int64_t>> seqs;
  seqs.reserve(rows.size());
  out.labels.clear();
  out.indices.assign(rows.begin(), rows.end());
  for (const int64_t row : rows) {
    seqs.emplace_back(data_.ids.at(static_cast<size_t>(row)));
    out.labels.push_back(data_.labels[static_cast<size_t>(row)]);
  }
  text::pad_batch(seqs, padding_, max_length_, pad_id_, out.inputs);
}

PaddingStats Batcher::padding_stats(const BatchPlan& plan) const {
  PaddingStats stats;
  Batch batch;
  for (const auto& rows : plan) {
    make_batch(rows, batch);
    const auto& mask = batch.inputs.attention_mask;
    stats.real_tokens += std::accumulate(mask.begin(), mask.end(), int64_t{0});
    stats.padded_tokens += batch.inputs.batch * batch.inputs.seq_len;
  }
  return stats;
}

}  // namespace cola::data

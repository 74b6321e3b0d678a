#pragma once
// Turns tokenized sentences into padded batches: seeded shuffling, optional length bucketing, and
// dynamic padding through text::pad_batch.
#include <cstdint>
#include <span>
#include <vector>

#include "config/schema.h"
#include "text/batch.h"

namespace cola::data {

/// Tokenized sentences and their labels: what the batcher draws from.
struct TokenizedSplit {
  std::vector<std::vector<int64_t>> ids;  // token ids per sentence incl. [CLS]/[SEP]
  std::vector<int64_t> labels;            // label id per sentence
};

/// One batch.
struct Batch {
  text::PaddedBatch inputs;      // input_ids and attention_mask, row-major [batch, seq_len]
  std::vector<int64_t> labels;   // [batch]
  std::vector<int64_t> indices;  // [batch] rows of the TokenizedSplit, to restore input order
};

/// The rows of each batch of an epoch, in the order they are served.
using BatchPlan = std::vector<std::vector<int64_t>>;

/// How evaluation batches are ordered. by_length pads less; Batch::indices restores the order.
enum class EvalOrder { input, by_length };

/// Real versus padded tokens, summed over batches.
struct PaddingStats {
  int64_t real_tokens = 0;    // attention_mask ones
  int64_t padded_tokens = 0;  // batch * seq_len, i.e. what the model computes on
  /// real / padded (1 = no padding at all); 0 when there were no tokens.
  double efficiency() const;
};

class Batcher {
 public:
  /// Takes data.batch_size, padding, max_length and bucket_window from cfg (UsageError on bad
  /// values). Error when ids and labels differ in count or a sentence exceeds max_length.
  Batcher(TokenizedSplit data, const config::DataConfig& cfg, int64_t pad_id);

  /// Training order for one epoch, fixed by (seed, epoch). With bucket_window W > 0: windows of
  /// W*batch_size shuffled rows are sorted by length and cut into batches, then the batches are
  /// shuffled, so rows in a batch have similar lengths but the epoch is still random.
  BatchPlan train_plan(uint64_t seed, int64_t epoch) const;
  /// Evaluation order: every row once, no randomness.
  BatchPlan eval_plan(EvalOrder order) const;
  /// Fills `out` with the given rows, reusing its buffers.
  void make_batch(std::span<const int64_t> rows, Batch& out) const;
  /// The padding a plan costs under the configured padding mode.
  PaddingStats padding_stats(const BatchPlan& plan) const;

  /// The number of sentences.
  int64_t size() const { return static_cast<int64_t>(data_.labels.size()); }
  /// The sentences.
  const TokenizedSplit& data() const { return data_; }

 private:
  void sort_by_length(std::span<int64_t> rows) const;
  BatchPlan cut(std::span<const int64_t> rows) const;

  TokenizedSplit data_;
  int64_t batch_size_ = 0;
  int64_t max_length_ = 0;
  int64_t bucket_window_ = 0;
  int64_t pad_id_ = 0;
  text::Padding padding_ = text::Padding::longest;
};

}  // namespace cola::data

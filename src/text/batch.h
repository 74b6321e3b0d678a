#pragma once
// Padding token id sequences into one rectangular batch for the model.
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace cola::text {

/// How long the padded rows are.
enum class Padding {
  longest,        // the longest sequence in the batch
  multiple_of_8,  // the longest, rounded up to a multiple of 8 (tensor-core friendly), <=
                  // max_length
  max_length,     // always max_length (reproduces the seed's fixed pad-to-128)
};

/// Parses "longest", "multiple_of_8" or "max_length"; throws UsageError listing them otherwise.
Padding parse_padding(std::string_view name);
/// The name parse_padding accepts for `padding`.
std::string_view padding_name(Padding padding);

/// Row-major [batch, seq_len] model inputs.
struct PaddedBatch {
  int64_t batch = 0, seq_len = 0;
  std::vector<int64_t> input_ids, attention_mask;  // mask: 1 for real tokens, 0 for padding
};

/// Pads id sequences (each already with [CLS]/[SEP]) into one batch.
void pad_batch(std::span<const std::span<const int64_t>> seqs, Padding padding, int64_t max_length,
               int64_t pad_id, PaddedBatch& out);  // reuses out's buffers

}  // namespace cola::text

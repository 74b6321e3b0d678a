#include "text/batch.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/enum_names.h"
#include "core/error.h"

namespace cola::text {
namespace {

constexpr EnumNames<Padding, 3> kPaddingNames = {{{Padding::longest, "longest"},
                                                  {Padding::multiple_of_8, "multiple_of_8"},
                                                  {Padding::max_length, "max_length"}}};

int64_t padded_length(std::span<const std::span<const int64_t>> seqs, Padding padding,
                      int64_t max_length) {
  if (padding == Padding::max_length) return max_length;
  int64_t longest = 0;
  for (const auto& seq : seqs) longest = std::max(longest, static_cast<int64_t>(seq.size()));
  if (padding == Padding::longest) return longest;
  // Rounding up must not exceed max_length: the model has no positions beyond it.
  return std::min((longest + 7) / 8 * 8, max_length);
}

}  // namespace

Padding parse_padding(std::string_view name) {
  if (const auto padding = enum_value(kPaddingNames, name)) return *padding;
  throw UsageError(
      fmt::format("unknown padding '{}' (valid: {})", name, enum_names(kPaddingNames)));
}

std::string_view padding_name(Padding padding) { return enum_name(kPaddingNames, padding); }

void pad_batch(std::span<const std::span<const int64_t>> seqs, Padding padding, int64_t max_length,
               int64_t pad_id, PaddedBatch& out) {
  if (max_length <= 0) throw UsageError(fmt::format("max_length must be > 0, got {}", max_length));
  const int64_t seq_len = padded_length(seqs, padding, max_length);
  out.batch = static_cast<int64_t>(seqs.size());
  out.seq_len = seq_len;
  const auto total = static_cast<size_t>(out.batch * seq_len);
  out.input_ids.assign(total, pad_id);
  out.attention_mask.assign(total, 0);
  for (size_t row = 0; row < seqs.size(); ++row) {
    const auto& seq = seqs[row];
    if (static_cast<int64_t>(seq.size()) > max_length) {
      throw Error(fmt::format("pad_batch: row {} has {} ids, more than max_length {}", row,
                              seq.size(), max_length));
    }
    const auto base = static_cast<std::ptrdiff_t>(row * static_cast<size_t>(seq_len));
    std::copy(seq.begin(), seq.end(), out.input_ids.begin() + base);
    std::fill_n(out.attention_mask.begin() + base, seq.size(), 1);
  }
}

}  // namespace cola::text

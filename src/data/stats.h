#pragma once
// `cola data stats`: row counts, label balance and length percentiles of a split.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "data/example.h"

namespace cola::data {

/// What `cola data stats` prints for one split.
struct SplitStats {
  int64_t rows = 0;                   // examples read (skipped rows excluded)
  int64_t skipped = 0;                // rows dropped under on_bad_row=skip
  std::vector<int64_t> label_counts;  // examples per label id
  int64_t p50 = 0, p90 = 0, p99 = 0;  // length percentiles (nearest rank), in the caller's unit
  int64_t max = 0;                    // longest example, same unit
};

/// The nearest-rank percentile (the smallest value with at least p% of values <= it), p in
/// (0, 100]; 0 for no values.
int64_t percentile(std::span<const int64_t> values, double p);

/// The number of whitespace-separated words: the length unit when no vocab is given.
int64_t count_words(std::string_view sentence);

/// Stats of a split given one length per example (tokens or words).
SplitStats compute_stats(const Split& split, std::span<const int64_t> lengths, int64_t num_labels);

/// A few indented lines: rows, label balance (count and %), lengths in `unit`.
std::string format_stats(std::string_view title, const SplitStats& stats,
                         const std::vector<std::string>& label_names, std::string_view unit);

}  // namespace cola::data

#include "data/stats.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "core/error.h"

namespace cola::data {

int64_t percentile(std::span<const int64_t> values, double p) {
  if (values.empty()) return 0;
  std::vector<int64_t> sorted(values.begin(), values.end());
  std::sort(sorted.begin(), sorted.end());
  const double rank = std::ceil(p / 100.0 * static_cast<double>(sorted.size()));
  const auto index = static_cast<size_t>(std::clamp(rank, 1.0, double(sorted.size()))) - 1;
  return sorted[index];
}

int64_t count_words(std::string_view sentence) {
  int64_t words = 0;
  bool in_word = false;
  for (const char c : sentence) {
    const bool space = c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
    words += (!space && !in_word) ? 1 : 0;
    in_word = !space;
  }
  return words;
}

SplitStats compute_stats(const Split& split, std::span<const int64_t> lengths, int64_t num_labels) {
  if (lengths.size() != split.examples.size()) {
    throw Error(
        fmt::format("stats: {} lengths for {} examples", lengths.size(), split.examples.size()));
  }
  SplitStats stats;
  stats.rows = static_cast<int64_t>(split.examples.size());
  stats.skipped = split.skipped;
  stats.label_counts.assign(static_cast<size_t>(num_labels), 0);
  for (const auto& example : split.examples) ++stats.label_counts.at(size_t(example.label));
  stats.p50 = percentile(lengths, 50);
  stats.p90 = percentile(lengths, 90);
  stats.p99 = percentile(lengths, 99);
  stats.max = percentile(lengths, 100);
  return stats;
}

std::string format_stats(std::string_view title, const SplitStats& stats,
                         const std::vector<std::string>& label_names, std::string_view unit) {
  std::string out = fmt::format("{}\n  rows     {}", title, stats.rows);
  if (stats.skipped > 0) out += fmt::format(" ({} bad rows skipped)", stats.skipped);
  out += "\n  labels  ";
  for (size_t id = 0; id < stats.label_counts.size(); ++id) {
    const double share =
        stats.rows == 0 ? 0.0 : 100.0 * double(stats.label_counts[id]) / double(stats.rows);
    const std::string name = id < label_names.size() ? label_names[id] : std::to_string(id);
    out += fmt::format("{}{} {}: {} ({:.1f}%)", id == 0 ? " " : ", ", id, name,
                       stats.label_counts[id], share);
  }
  out += fmt::format("\n  length   p50 {}, p90 {}, p99 {}, max {} ({})\n", stats.p50, stats.p90,
                     stats.p99, stats.max, unit);
  return out;
}

}  // namespace cola::data

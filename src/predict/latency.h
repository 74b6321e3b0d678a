#pragma once
// Latency summaries for --timing and `cola bench`.
#include <cstdint>
#include <vector>

namespace cola::predict {

/// The q-quantile (0..1) of `samples` by linear interpolation between order statistics; 0 when
/// empty. Takes a copy because it sorts.
double quantile(std::vector<double> samples, double q);

/// Per-batch latency quantiles in seconds, and throughput.
struct LatencySummary {
  int64_t batches = 0;
  int64_t sentences = 0;
  double total_seconds = 0;  // the sum of the batch times
  double p50 = 0, p90 = 0, p99 = 0;
  /// sentences / total_seconds (0 when no time was measured).
  double sentences_per_second() const;
};

/// Summarises batch times in seconds over `sentences` sentences.
LatencySummary summarize(const std::vector<double>& batch_seconds, int64_t sentences);

}  // namespace cola::predict

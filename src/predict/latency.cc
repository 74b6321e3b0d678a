#include "predict/latency.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace cola::predict {

double quantile(std::vector<double> samples, double q) {
  if (samples.empty()) return 0;
  std::sort(samples.begin(), samples.end());
  const double pos = q * static_cast<double>(samples.size() - 1);
  const auto lo = static_cast<size_t>(std::floor(pos));
  const size_t hi = std::min(lo + 1, samples.size() - 1);
  return samples[lo] + (samples[hi] - samples[lo]) * (pos - static_cast<double>(lo));
}

double LatencySummary::sentences_per_second() const {
  return total_seconds > 0 ? static_cast<double>(sentences) / total_seconds : 0;
}

LatencySummary summarize(const std::vector<double>& batch_seconds, int64_t sentences) {
  LatencySummary s;
  s.batches = static_cast<int64_t>(batch_seconds.size());
  s.sentences = sentences;
  s.total_seconds = std::accumulate(batch_seconds.begin(), batch_seconds.end(), 0.0);
  s.p50 = quantile(batch_seconds, 0.50);
  s.p90 = quantile(batch_seconds, 0.90);
  s.p99 = quantile(batch_seconds, 0.99);
  return s;
}

}  // namespace cola::predict

#include "predict/batch_plan.h"

#include <algorithm>
#include <chrono>
#include <limits>
#include <string>

#include "predict/predictor.h"

namespace cola::predict {

void plan_batches(std::span<const int64_t> sorted_lengths, int64_t max_rows, const BatchCost& cost,
                  std::vector<int64_t>& sizes) {
  const auto n = static_cast<int64_t>(sorted_lengths.size());
  sizes.clear();
  if (n == 0) return;
  max_rows = std::max<int64_t>(max_rows, 1);
  if (cost.per_token <= 0) {
    for (int64_t first = 0; first < n; first += max_rows)
      sizes.push_back(std::min(max_rows, n - first));
    return;
  }
  // best[j]: the least cost of the first j rows; cut[j]: where the last pass of that plan begins.
  // Rows are sorted, so a pass [i, j) is padded to row j - 1.
  std::vector<double> best(1, 0.0);  // (built from one 0, not assigned: GCC's -Wnull-dereference)
  best.resize(static_cast<size_t>(n + 1), std::numeric_limits<double>::infinity());
  std::vector<int64_t> cut(static_cast<size_t>(n + 1), 0);
  for (int64_t j = 1; j <= n; ++j) {
    const auto longest = static_cast<double>(sorted_lengths[j - 1]);
    for (int64_t i = std::max<int64_t>(0, j - max_rows); i < j; ++i) {
      const double c =
          best[i] + cost.per_run + cost.per_token * static_cast<double>(j - i) * longest;
      if (c < best[j]) {
        best[j] = c;
        cut[j] = i;
      }
    }
  }
  for (int64_t j = n; j > 0; j = cut[j]) sizes.push_back(j - cut[j]);
  std::reverse(sizes.begin(), sizes.end());
}

namespace {

// The median forward() seconds of `rows` texts of `words` words each (each word one token).
double median_seconds(const Predictor& predictor, int64_t rows, int64_t words, int repeats,
                      int64_t& tokens) {
  std::string text;
  for (int64_t i = 0; i < words; ++i) text += "a ";
  const std::vector<std::string> texts(static_cast<size_t>(rows), text);
  Workspace ws;
  std::vector<Prediction> out;
  std::vector<double> seconds;
  for (int r = 0; r < repeats; ++r) {
    ws.batch_seconds.clear();
    predictor.predict(texts, ws, out);
    double sum = 0;
    for (const double s : ws.batch_seconds) sum += s;
    seconds.push_back(sum);
  }
  tokens = rows * static_cast<int64_t>(ws.batch.seq_len);
  std::nth_element(seconds.begin(), seconds.begin() + repeats / 2, seconds.end());
  return seconds[static_cast<size_t>(repeats / 2)];
}

}  // namespace

BatchCost measure_batch_cost(const Predictor& predictor, int repeats) {
  // Shapes that CoLA-like traffic runs: one short sentence, and a pass of 32 longer ones (as
  // long as the model takes, at most 64 tokens). Two points fit the line; the model's fixed
  // cost per run is where it crosses zero tokens.
  const int64_t max_words = std::max<int64_t>(predictor.options().max_length - 2, 1);
  int64_t small_tokens = 0;
  int64_t large_tokens = 0;
  const double small =
      median_seconds(predictor, 1, std::min<int64_t>(8, max_words), repeats, small_tokens);
  const double large =
      median_seconds(predictor, std::min<int64_t>(32, predictor.options().batch_size),
                     std::min<int64_t>(62, max_words), repeats, large_tokens);
  if (large_tokens <= small_tokens || large <= small) return {};  // no slope to fit: cut by size
  BatchCost cost;
  cost.per_token = (large - small) / static_cast<double>(large_tokens - small_tokens);
  cost.per_run = std::max(0.0, small - cost.per_token * static_cast<double>(small_tokens));
  return cost;
}

}  // namespace cola::predict

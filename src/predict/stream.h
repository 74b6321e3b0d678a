#pragma once
// The `cola predict` loop: read a chunk of sentences (fewer when the input stalls), predict it,
// write its JSON lines and flush, so that memory stays flat on any input size and a reader of
// stdout sees each chunk as soon as it is done. Optionally runs a second predictor on the same
// chunk and compares scores.
#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "predict/predictor.h"

namespace cola::predict {

/// Fills `sentence` with the next input and returns true, or returns false at the end.
using SentenceSource = std::function<bool(std::string& sentence)>;

struct StreamOptions {
  int64_t chunk = 32;  // sentences per predict() call and per flush (sorted by length within it)
  /// Whether the source can give another sentence without waiting. When it cannot, the sentences
  /// read so far are predicted and flushed at once, so a line typed or piped slowly comes back
  /// straight away, while a file still fills whole chunks. Empty: always ready.
  std::function<bool()> ready;
  /// Called after each predict() call with its sentence count and wall time in seconds.
  std::function<void(int64_t sentences, double seconds)> on_call;
};

/// How two backends compared on the same sentences.
struct Comparison {
  int64_t sentences = 0;
  int64_t same_label = 0;   // the argmax agrees
  double max_abs_diff = 0;  // over every score
  /// same_label / sentences (1 when nothing was compared).
  double agreement() const;
};

struct StreamResult {
  int64_t sentences = 0;
  int64_t truncated = 0;              // texts cut to max_length
  std::vector<double> call_seconds;   // per predict() call (tokenize + forward + softmax)
  std::vector<double> batch_seconds;  // per forward() micro-batch
  double tokenize_seconds = 0;
  Comparison comparison;  // when a reference predictor was given
};

/// Predicts every sentence of `source` with `predictor`, writing one JSON line each to `out`.
/// With `reference`, also predicts with it and fills StreamResult::comparison. Error when the
/// two predictors' labels differ, or when writing fails.
StreamResult predict_stream(const SentenceSource& source, const Predictor& predictor,
                            std::FILE* out, const StreamOptions& options,
                            const Predictor* reference = nullptr);

}  // namespace cola::predict

#pragma once
// How far a candidate model (int8) strays from its reference (fp32): on raw logits, and on
// labelled data. The figures that decide whether a quantized file may ship.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "predict/predictor.h"

namespace cola::predict {

/// Two models' logits on the same rows.
struct LogitComparison {
  int64_t rows = 0;
  int64_t same_argmax = 0;        // rows whose predicted class agrees
  double max_abs_logit_diff = 0;  // max |reference - candidate| over every logit
  double max_abs_prob_diff = 0;   // the same on softmax probabilities
  double cosine = 1;              // of the two logits vectors, every row concatenated
  double agreement() const {
    return rows == 0 ? 1.0 : static_cast<double>(same_argmax) / static_cast<double>(rows);
  }
  /// Adds `other`'s rows (cosine: the lowest of the two).
  void merge(const LogitComparison& other);
};

/// Compares [rows, labels] row-major logits; Error when their sizes differ.
LogitComparison compare_logits(std::span<const float> reference, std::span<const float> candidate,
                               size_t labels);

/// Accuracy and Matthews correlation of one model on labelled data.
struct DataScore {
  double accuracy = 0;
  double mcc = 0;
};

/// Both models on labelled data.
struct DataComparison {
  std::string data;  // the file
  DataScore reference, candidate;
  LogitComparison logits;
};

/// Predicts `sentences` with both models (as `cola predict` does) and scores each against
/// `labels` (indices into the models' labels, which must be the same list). Turns on
/// PredictOptions::keep_logits in both.
DataComparison compare_on_data(Predictor& reference, Predictor& candidate,
                               std::span<const std::string> sentences,
                               std::span<const int64_t> labels);

}  // namespace cola::predict

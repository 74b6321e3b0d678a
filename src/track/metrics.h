#pragma once
// Classification metrics for validation: the numbers the seed logs to W&B, plus Matthews
// correlation (MCC), CoLA's official metric. Definitions follow scikit-learn, so values can be
// checked against it; a ratio with a zero denominator is 0 (sklearn's zero_division=0).
#include <cstdint>
#include <vector>

namespace cola::track {

/// counts[truth * num_labels + prediction].
class ConfusionMatrix {
 public:
  explicit ConfusionMatrix(int num_labels);
  /// Counts one example; throws Error if a label is out of range.
  void add(int truth, int prediction);
  int64_t at(int truth, int prediction) const;
  int64_t total() const { return total_; }
  int num_labels() const { return num_labels_; }

 private:
  int num_labels_;
  int64_t total_ = 0;
  std::vector<int64_t> counts_;
};

struct ClassificationMetrics {
  double accuracy = 0;
  double precision_macro = 0;  // unweighted mean over labels
  double recall_macro = 0;
  double f1_macro = 0;         // mean of per-label F1 (not F1 of the macro P and R)
  double precision_micro = 0;  // pooled over labels; equals accuracy for single-label data
  double recall_micro = 0;
  double f1_micro = 0;
  double mcc = 0;  // Matthews correlation, multiclass form (Gorodkin 2004)
};

/// Computes every metric from a confusion matrix.
ClassificationMetrics compute_metrics(const ConfusionMatrix& cm);

}  // namespace cola::track

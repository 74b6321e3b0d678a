#include "track/metrics.h"

#include <fmt/format.h>

#include <cmath>

#include "core/error.h"

namespace cola::track {
namespace {

double ratio(double num, double den) { return den == 0 ? 0.0 : num / den; }

}  // namespace

ConfusionMatrix::ConfusionMatrix(int num_labels)
    : num_labels_(num_labels), counts_(static_cast<size_t>(num_labels) * num_labels, 0) {
  if (num_labels < 2)
    throw Error(fmt::format("a confusion matrix needs ≥ 2 labels, got {}", num_labels));
}

void ConfusionMatrix::add(int truth, int prediction) {
  if (truth < 0 || truth >= num_labels_ || prediction < 0 || prediction >= num_labels_) {
    throw Error(fmt::format("label out of range: truth {}, prediction {} (labels 0..{})", truth,
                            prediction, num_labels_ - 1));
  }
  ++counts_[static_cast<size_t>(truth) * num_labels_ + prediction];
  ++total_;
}

int64_t ConfusionMatrix::at(int truth, int prediction) const {
  return counts_[static_cast<size_t>(truth) * num_labels_ + prediction];
}

ClassificationMetrics compute_metrics(const ConfusionMatrix& cm) {
  const int k = cm.num_labels();
  ClassificationMetrics m;
  double correct = 0;
  double sum_pt = 0, sum_p2 = 0, sum_t2 = 0;
  for (int c = 0; c < k; ++c) {
    double predicted = 0, actual = 0;
    for (int o = 0; o < k; ++o) {
      predicted += static_cast<double>(cm.at(o, c));
      actual += static_cast<double>(cm.at(c, o));
    }
    const auto tp = static_cast<double>(cm.at(c, c));
    const double precision = ratio(tp, predicted), recall = ratio(tp, actual);
    m.precision_macro += precision / k;
    m.recall_macro += recall / k;
    m.f1_macro += ratio(2 * precision * recall, precision + recall) / k;
    correct += tp;
    sum_pt += predicted * actual;
    sum_p2 += predicted * predicted;
    sum_t2 += actual * actual;
  }
  const auto s = static_cast<double>(cm.total());
  m.accuracy = ratio(correct, s);
  // Single-label data: every false positive of one label is a false negative of another, so the
  // pooled precision, recall and F1 all equal accuracy.
  m.precision_micro = m.recall_micro = m.f1_micro = m.accuracy;
  // MCC = (c·s − Σ p_k t_k) / sqrt((s² − Σ p_k²)(s² − Σ t_k²)); for two labels this is the usual
  // (TP·TN − FP·FN) / sqrt(...).
  const double den = std::sqrt((s * s - sum_p2) * (s * s - sum_t2));
  m.mcc = ratio(correct * s - sum_pt, den);
  return m;
}

}  // namespace cola::track

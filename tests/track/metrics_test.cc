#include "track/metrics.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/error.h"

namespace cola::track {
namespace {

// Binary case computed by hand: TP=6 (1→1), TN=3 (0→0), FP=1 (0→1), FN=2 (1→0); n=12.
ConfusionMatrix binary_example() {
  ConfusionMatrix cm(2);
  for (int i = 0; i < 6; ++i) cm.add(1, 1);
  for (int i = 0; i < 3; ++i) cm.add(0, 0);
  cm.add(0, 1);
  cm.add(1, 0);
  cm.add(1, 0);
  return cm;
}

TEST(Metrics, BinaryAgainstHandComputedValues) {
  const auto m = compute_metrics(binary_example());
  EXPECT_DOUBLE_EQ(m.accuracy, 9.0 / 12);
  // Label 0: P = 3/5, R = 3/4. Label 1: P = 6/7, R = 6/8.
  EXPECT_DOUBLE_EQ(m.precision_macro, (3.0 / 5 + 6.0 / 7) / 2);
  EXPECT_DOUBLE_EQ(m.recall_macro, (3.0 / 4 + 6.0 / 8) / 2);
  const double f1_0 = 2 * (0.6 * 0.75) / (0.6 + 0.75),
               f1_1 = 2 * (6.0 / 7 * 0.75) / (6.0 / 7 + 0.75);
  EXPECT_DOUBLE_EQ(m.f1_macro, (f1_0 + f1_1) / 2);
  EXPECT_DOUBLE_EQ(m.precision_micro, m.accuracy);
  // MCC = (TP·TN − FP·FN) / sqrt((TP+FP)(TP+FN)(TN+FP)(TN+FN)) = (18 − 2) / sqrt(7·8·4·5).
  EXPECT_NEAR(m.mcc, 16.0 / std::sqrt(7.0 * 8 * 4 * 5), 1e-12);
}

TEST(Metrics, MajorityBaselineHasZeroMcc) {
  ConfusionMatrix cm(2);
  for (int i = 0; i < 70; ++i) cm.add(1, 1);
  for (int i = 0; i < 30; ++i) cm.add(0, 1);
  const auto m = compute_metrics(cm);
  EXPECT_DOUBLE_EQ(m.accuracy, 0.7);
  EXPECT_DOUBLE_EQ(m.mcc, 0.0);               // zero denominator → 0, as sklearn
  EXPECT_DOUBLE_EQ(m.precision_macro, 0.35);  // label 0 never predicted: precision 0
}

TEST(Metrics, PerfectAndInvertedPredictions) {
  ConfusionMatrix good(3), bad(2);
  for (int c = 0; c < 3; ++c) good.add(c, c);
  bad.add(0, 1);
  bad.add(1, 0);
  EXPECT_DOUBLE_EQ(compute_metrics(good).mcc, 1.0);
  EXPECT_DOUBLE_EQ(compute_metrics(good).f1_macro, 1.0);
  EXPECT_DOUBLE_EQ(compute_metrics(bad).mcc, -1.0);
}

TEST(Metrics, OutOfRangeLabelsAreErrors) {
  ConfusionMatrix cm(2);
  try {
    cm.add(2, 0);
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "label out of range: truth 2, prediction 0 (labels 0..1)");
  }
  EXPECT_THROW(ConfusionMatrix(1), Error);
}

}  // namespace
}  // namespace cola::track

#include "train/schedule.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace cola::train {
namespace {

TEST(Schedule, LinearWarmupThenLinearDecay) {
  // peak 1, 10 warm-up steps, 110 total: 0, 0.1 … 0.9, then 1 at step 10 down to 0 at step 110.
  EXPECT_DOUBLE_EQ(linear_warmup_decay(1.0, 0, 10, 110), 0.0);
  EXPECT_DOUBLE_EQ(linear_warmup_decay(1.0, 5, 10, 110), 0.5);
  EXPECT_DOUBLE_EQ(linear_warmup_decay(1.0, 10, 10, 110), 1.0);
  EXPECT_DOUBLE_EQ(linear_warmup_decay(1.0, 60, 10, 110), 0.5);
  EXPECT_DOUBLE_EQ(linear_warmup_decay(1.0, 110, 10, 110), 0.0);
  EXPECT_DOUBLE_EQ(linear_warmup_decay(1.0, 200, 10, 110), 0.0);  // never negative
  EXPECT_DOUBLE_EQ(linear_warmup_decay(2.0, 0, 0, 100), 2.0);     // no warm-up
}

TEST(EarlyStopping, TriggersAfterPatienceEpochsWithoutImprovement) {
  EarlyStopping es(3);
  const std::vector<double> losses{0.9, 0.7, 0.72, 0.71, 0.69, 0.75, 0.8, 0.79};
  std::vector<bool> best, stop;
  for (double l : losses) {
    best.push_back(es.update(l));
    stop.push_back(es.should_stop());
  }
  EXPECT_EQ(best, (std::vector<bool>{true, true, false, false, true, false, false, false}));
  EXPECT_EQ(stop, (std::vector<bool>{false, false, false, false, false, false, false, true}));
  EXPECT_DOUBLE_EQ(es.best(), 0.69);
}

TEST(EarlyStopping, PatienceZeroNeverStopsAndNanIsNeverBest) {
  EarlyStopping es(0);
  for (int i = 0; i < 10; ++i) es.update(1.0);
  EXPECT_FALSE(es.should_stop());
  EarlyStopping nan_check(1);
  EXPECT_FALSE(nan_check.update(std::nan("")));
  EXPECT_TRUE(nan_check.should_stop());
}

}  // namespace
}  // namespace cola::train

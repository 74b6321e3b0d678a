#include "train/schedule.h"

#include <algorithm>
#include <cmath>

namespace cola::train {

double linear_warmup_decay(double peak, int64_t step, int64_t warmup_steps, int64_t total_steps) {
  if (step < warmup_steps) {
    return peak * static_cast<double>(step) /
           static_cast<double>(std::max<int64_t>(1, warmup_steps));
  }
  const auto remaining = static_cast<double>(std::max<int64_t>(0, total_steps - step));
  const auto span = static_cast<double>(std::max<int64_t>(1, total_steps - warmup_steps));
  return peak * remaining / span;
}

bool EarlyStopping::update(double value) {
  // NaN never counts as an improvement.
  if (!std::isnan(value) && value < best_ - min_delta_) {
    best_ = value;
    bad_epochs_ = 0;
    return true;
  }
  ++bad_epochs_;
  return false;
}

}  // namespace cola::train

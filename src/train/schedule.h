#pragma once
// Learning-rate schedule and early stopping: plain arithmetic, kept apart from the LibTorch loop so
// they are tested exactly.
#include <cstdint>
#include <limits>

namespace cola::train {

/// Linear warm-up from 0 to `peak` over `warmup_steps`, then linear decay to 0 at `total_steps`
/// (Hugging Face's get_linear_schedule_with_warmup). `step` counts from 0.
double linear_warmup_decay(double peak, int64_t step, int64_t warmup_steps, int64_t total_steps);

/// Stops when the monitored value (valid/loss, lower is better) has not improved for `patience`
/// consecutive checks. patience 0 never stops.
class EarlyStopping {
 public:
  explicit EarlyStopping(int patience, double min_delta = 0.0)
      : patience_(patience), min_delta_(min_delta) {}

  /// Records one validation; returns true when this value is a new best.
  bool update(double value);
  /// True when training should stop.
  bool should_stop() const { return patience_ > 0 && bad_epochs_ >= patience_; }

  double best() const { return best_; }
  int bad_epochs() const { return bad_epochs_; }
  /// Restores the state saved in a checkpoint (for resume).
  void restore(double best, int bad_epochs) {
    best_ = best;
    bad_epochs_ = bad_epochs;
  }

 private:
  int patience_;
  double min_delta_;
  double best_ = std::numeric_limits<double>::infinity();
  int bad_epochs_ = 0;
};

}  // namespace cola::train

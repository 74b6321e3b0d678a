#pragma once
// The element loops of FusedAdamW, kept free of LibTorch so that they compile quickly with the
// flags that let them vectorise (see CMakeLists.txt) and can be tested on plain arrays.
#include <cstdint>

namespace cola::train {

/// The constants of one AdamW update of one parameter (torch::optim::AdamW's arithmetic).
struct AdamWStep {
  float decay = 1.0F;  // 1 - lr * weight_decay
  float beta1 = 0.9F;
  float beta2 = 0.999F;
  float inv_sqrt_bc2 = 1.0F;  // 1 / sqrt(1 - beta2^t), the second moment's bias correction
  float eps = 1e-8F;
  float step_size = 1e-3F;  // lr / (1 - beta1^t)
  float grad_scale = 1.0F;  // gradient clipping's factor, applied as the gradient is read

  /// The step-t constants for lr, weight decay, betas and eps (t counts from 1).
  static AdamWStep at(int64_t t, double lr, double weight_decay, double beta1, double beta2,
                      double eps, double grad_scale);
};

/// n elements of one parameter (the pointers already at the first):
///   p *= 1 - lr*wd;  m = b1*m + (1-b1)*g;  v = b2*v + (1-b2)*g*g;
///   p -= lr/bc1 * m / (sqrt(v)/sqrt(bc2) + eps)
/// with g = grad_scale * grad[i], or 0 where `grad` is null (a row a sparse gradient skips, which
/// dense AdamW still decays and moves).
void adamw_update(float* p, const float* grad, float* m, float* v, int64_t n, const AdamWStep& s);

/// Sum of x*x over n elements, in double, in an order fixed by n alone.
double sum_of_squares(const float* x, int64_t n);

}  // namespace cola::train

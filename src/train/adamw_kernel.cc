#include "train/adamw_kernel.h"

#include <array>
#include <cmath>
#include <cstddef>

namespace cola::train {
namespace {

// This file is built with -fno-math-errno (v >= 0, so sqrt never sets errno); without it GCC
// calls sqrtf per element instead of vectorising. The AVX2 clone is chosen at load time where the
// CPU has it: 3.8 vs 5.2 ms per 4.4M elements on one core here (16.4 ms without either).
template <bool kHasGrad>
__attribute__((target_clones("avx2", "default"))) void update(float* __restrict p,
                                                              const float* __restrict g,
                                                              float* __restrict m,
                                                              float* __restrict v, int64_t n,
                                                              AdamWStep s) {
  const float one_minus_beta1 = 1.0F - s.beta1;
  const float one_minus_beta2 = 1.0F - s.beta2;
  for (int64_t i = 0; i < n; ++i) {
    const float grad = kHasGrad ? g[i] * s.grad_scale : 0.0F;
    m[i] = m[i] * s.beta1 + one_minus_beta1 * grad;
    v[i] = v[i] * s.beta2 + one_minus_beta2 * grad * grad;
    const float denom = std::sqrt(v[i]) * s.inv_sqrt_bc2 + s.eps;
    p[i] = p[i] * s.decay - s.step_size * m[i] / denom;
  }
}

}  // namespace

AdamWStep AdamWStep::at(int64_t t, double lr, double weight_decay, double beta1, double beta2,
                        double eps, double grad_scale) {
  const auto td = static_cast<double>(t);
  AdamWStep s;
  s.decay = static_cast<float>(1.0 - lr * weight_decay);
  s.beta1 = static_cast<float>(beta1);
  s.beta2 = static_cast<float>(beta2);
  s.inv_sqrt_bc2 = static_cast<float>(1.0 / std::sqrt(1.0 - std::pow(beta2, td)));
  s.eps = static_cast<float>(eps);
  s.step_size = static_cast<float>(lr / (1.0 - std::pow(beta1, td)));
  s.grad_scale = static_cast<float>(grad_scale);
  return s;
}

void adamw_update(float* p, const float* grad, float* m, float* v, int64_t n, const AdamWStep& s) {
  if (grad != nullptr) {
    update<true>(p, grad, m, v, n, s);
  } else {
    update<false>(p, nullptr, m, v, n, s);
  }
}

double sum_of_squares(const float* x, int64_t n) {
  // Eight independent accumulators: one would serialise on the adder's latency (four times
  // slower). The split depends only on n, so the result is reproducible.
  std::array<double, 8> acc{};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    for (size_t j = 0; j < acc.size(); ++j) {
      const auto value = static_cast<double>(x[i + static_cast<int64_t>(j)]);
      acc[j] += value * value;
    }
  }
  double sum = 0.0;
  for (; i < n; ++i) sum += static_cast<double>(x[i]) * static_cast<double>(x[i]);
  for (const double a : acc) sum += a;
  return sum;
}

}  // namespace cola::train

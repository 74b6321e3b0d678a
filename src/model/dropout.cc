#include "model/dropout.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>
#include <fmt/format.h>

#include <mutex>

#include "core/error.h"

namespace cola::model {
namespace {

// SplitMix64's finaliser (Steele, Lea and Flood, "Fast splittable pseudorandom number generators",
// OOPSLA 2014): a bijective mix whose outputs for consecutive counters pass BigCrush.
inline uint64_t mix(uint64_t z) {
  z = (z ^ (z >> 30U)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27U)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31U);
}

uint64_t draw_seed() {
  auto gen = at::detail::getDefaultCPUGenerator();
  const std::lock_guard<std::mutex> lock(gen.mutex());
  return gen.get<at::CPUGeneratorImpl>()->random64();
}

template <typename T>
void fill_mask(T* out, int64_t n, double p, uint64_t seed) {
  // Keep an element when its 32-bit coin is at or above p * 2^32.
  const auto threshold = static_cast<uint64_t>(p * 4294967296.0);
  const T keep = static_cast<T>(1.0 / (1.0 - p));
  constexpr uint64_t kGolden = 0x9E3779B97F4A7C15ULL;  // SplitMix64's counter increment
  // One hash gives the coins of two neighbouring elements; chunks start at even indices so each
  // pair lies in one chunk whatever the thread count.
  at::parallel_for(0, (n + 1) / 2, 4096, [&](int64_t begin, int64_t end) {
    for (int64_t pair = begin; pair < end; ++pair) {
      const uint64_t bits = mix(seed + static_cast<uint64_t>(pair) * kGolden);
      const int64_t i = 2 * pair;
      out[i] = (bits & 0xFFFFFFFFULL) >= threshold ? keep : T(0);
      if (i + 1 < n) out[i + 1] = (bits >> 32U) >= threshold ? keep : T(0);
    }
  });
}

}  // namespace

torch::Tensor dropout_mask(const torch::Tensor& like, double p, uint64_t seed) {
  auto mask = torch::empty(like.sizes(), like.options().requires_grad(false));
  AT_DISPATCH_FLOATING_TYPES(mask.scalar_type(), "cola::dropout_mask",
                             [&] { fill_mask(mask.data_ptr<scalar_t>(), mask.numel(), p, seed); });
  return mask;
}

torch::Tensor fast_dropout(const torch::Tensor& x, double p, bool training) {
  if (!(p >= 0.0 && p <= 1.0))
    throw Error(fmt::format("dropout probability {} is not in [0, 1]", p));
  if (!training || p == 0.0) return x;
  if (p == 1.0) return x * 0.0;
  if (!x.device().is_cpu() || !at::isFloatingType(x.scalar_type())) {
    return torch::dropout(x, p, training);  // only CPU float tensors have the fast mask
  }
  return x * dropout_mask(x, p, draw_seed());
}

}  // namespace cola::model

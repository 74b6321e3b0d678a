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

thread_local BatchSlice* current_slice = nullptr;

uint64_t random64(at::Generator& gen) {
  const std::lock_guard<std::mutex> lock(gen.mutex());
  return gen.get<at::CPUGeneratorImpl>()->random64();
}

uint64_t draw_seed() {
  if (current_slice != nullptr) return random64(current_slice->seeds());
  auto gen = at::detail::getDefaultCPUGenerator();
  return random64(gen);
}

template <typename T>
void fill_mask(T* out, int64_t n, double p, uint64_t seed, int64_t offset) {
  // Keep an element when its 32-bit coin is at or above p * 2^32.
  const auto threshold = static_cast<uint64_t>(p * 4294967296.0);
  const T keep = static_cast<T>(1.0 / (1.0 - p));
  constexpr uint64_t kGolden = 0x9E3779B97F4A7C15ULL;  // SplitMix64's counter increment
  // One hash gives the coins of two neighbouring elements (by index in the whole tensor, so a
  // slice's mask is the whole mask's slice); chunks are whole pairs, so the coins do not depend on
  // the thread count.
  at::parallel_for(offset / 2, (offset + n + 1) / 2, 4096, [&](int64_t begin, int64_t end) {
    for (int64_t pair = begin; pair < end; ++pair) {
      const uint64_t bits = mix(seed + static_cast<uint64_t>(pair) * kGolden);
      const int64_t i = 2 * pair - offset;
      if (i >= 0) out[i] = (bits & 0xFFFFFFFFULL) >= threshold ? keep : T(0);
      if (i + 1 < n) out[i + 1] = (bits >> 32U) >= threshold ? keep : T(0);
    }
  });
}

}  // namespace

BatchSlice::BatchSlice(at::Generator seeds, int64_t first_row)
    : seeds_(std::move(seeds)), first_row_(first_row), previous_(current_slice) {
  current_slice = this;
}

BatchSlice::~BatchSlice() { current_slice = previous_; }

torch::Tensor dropout_mask(const torch::Tensor& like, double p, uint64_t seed, int64_t offset) {
  auto mask = torch::empty(like.sizes(), like.options().requires_grad(false));
  AT_DISPATCH_FLOATING_TYPES(mask.scalar_type(), "cola::dropout_mask", [&] {
    fill_mask(mask.data_ptr<scalar_t>(), mask.numel(), p, seed, offset);
  });
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
  const int64_t offset = current_slice != nullptr && x.dim() > 0 && x.size(0) > 0
                             ? current_slice->first_row() * (x.numel() / x.size(0))
                             : 0;
  return x * dropout_mask(x, p, draw_seed(), offset);
}

}  // namespace cola::model

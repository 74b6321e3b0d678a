#pragma once
// Comparing the weights of two checkpoint directories (their model.safetensors), for the tests
// that show two ways of training reach the same model.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <vector>

#include "checkpoint/safetensors.h"

namespace cola::test {

/// The largest |a - b| over every weight of two checkpoints' model.safetensors (infinity, with a
/// test failure, when their tensors differ in name or shape).
inline float max_weight_difference(const std::filesystem::path& a, const std::filesystem::path& b) {
  const auto fa = checkpoint::safetensors::File::read(a / "model.safetensors");
  const auto fb = checkpoint::safetensors::File::read(b / "model.safetensors");
  EXPECT_EQ(fa.tensors().size(), fb.tensors().size());
  float worst = 0;
  for (const auto& t : fa.tensors()) {
    const auto* u = fb.find(t.name);
    if (u == nullptr || u->shape != t.shape) {
      ADD_FAILURE() << t.name << " differs in shape or is missing";
      return INFINITY;
    }
    std::vector<float> x(static_cast<size_t>(t.numel())), y(x.size());
    fa.to_f32(t, x);
    fb.to_f32(*u, y);
    for (size_t i = 0; i < x.size(); ++i) worst = std::max(worst, std::abs(x[i] - y[i]));
  }
  return worst;
}

}  // namespace cola::test

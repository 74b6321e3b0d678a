#include "graph/quantize_weights.h"

#include <algorithm>
#include <cmath>

namespace cola::graph {
namespace {

float scale_for(float max_abs, int qmax) {
  return max_abs > 0 ? max_abs / static_cast<float>(qmax) : 1.0F;
}

// Round half to even, as numpy (and so ORT's Python quantizer) does, then clamp.
int8_t quantize(float w, float scale, int qmax) {
  const float q = std::nearbyint(w / scale);
  return static_cast<int8_t>(std::clamp(q, static_cast<float>(-qmax), static_cast<float>(qmax)));
}

}  // namespace

QuantizedMatrix quantize_columns(std::span<const float> w, int64_t rows, int64_t cols, int qmax) {
  QuantizedMatrix out;
  out.values.resize(w.size());
  out.scales.assign(static_cast<size_t>(cols), 0.0F);
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t c = 0; c < cols; ++c) {
      auto& m = out.scales[static_cast<size_t>(c)];
      m = std::max(m, std::abs(w[static_cast<size_t>(r * cols + c)]));
    }
  }
  for (auto& s : out.scales) s = scale_for(s, qmax);
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t c = 0; c < cols; ++c) {
      const auto i = static_cast<size_t>(r * cols + c);
      out.values[i] = quantize(w[i], out.scales[static_cast<size_t>(c)], qmax);
    }
  }
  return out;
}

QuantizedMatrix quantize_rows(std::span<const float> w, int64_t rows, int64_t cols, int qmax) {
  QuantizedMatrix out;
  out.values.resize(w.size());
  out.scales.resize(static_cast<size_t>(rows));
  for (int64_t r = 0; r < rows; ++r) {
    const auto row = w.subspan(static_cast<size_t>(r * cols), static_cast<size_t>(cols));
    float max_abs = 0;
    for (const float v : row) max_abs = std::max(max_abs, std::abs(v));
    const float scale = scale_for(max_abs, qmax);
    out.scales[static_cast<size_t>(r)] = scale;
    for (int64_t c = 0; c < cols; ++c) {
      out.values[static_cast<size_t>(r * cols + c)] =
          quantize(row[static_cast<size_t>(c)], scale, qmax);
    }
  }
  return out;
}

}  // namespace cola::graph

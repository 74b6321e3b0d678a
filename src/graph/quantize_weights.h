#pragma once
// Symmetric int8 quantization of weight matrices: q = round(w / scale), scale = max|w| / qmax over
// one output channel (a Linear's column, stored [in, out]) or one row (an embedding table). Zero
// points are 0, so the integer GEMM needs no correction term for the weights.
#include <cstdint>
#include <span>
#include <vector>

namespace cola::graph {

/// The largest |q|: 63 for 7-bit weights (reduce_range), 127 for full range. With u8
/// activations, AVX2's VPMADDUBSW adds two u8 x s8 products into an int16; 2 * 255 * 63 stays
/// below 32767 where 2 * 255 * 127 does not (ORT issues #6004, #14642). VNNI has no such limit.
inline int quantized_max(bool reduce_range) { return reduce_range ? 63 : 127; }

struct QuantizedMatrix {
  std::vector<int8_t> values;  // row-major, the shape of the input
  std::vector<float> scales;   // one per column (per_column) or per row
};

/// `w` ([rows, cols], row-major) with one scale per column: a Linear's W^T [in, out], one scale
/// per output channel. An all-zero column gets scale 1 (its values are 0 either way).
QuantizedMatrix quantize_columns(std::span<const float> w, int64_t rows, int64_t cols, int qmax);

/// `w` ([rows, cols]) with one scale per row: an embedding table, one scale per token.
QuantizedMatrix quantize_rows(std::span<const float> w, int64_t rows, int64_t cols, int qmax);

}  // namespace cola::graph

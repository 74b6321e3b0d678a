#pragma once
// Dynamic int8 quantization of a cola export, as a pass over its ModelProto: `cola export
// --quantize int8` runs it on the graph it just built, `cola quantize` on a file.
//
// Each Linear with a constant weight becomes the default-domain pattern that ONNX Runtime's CPU
// optimizer fuses into one com.microsoft DynamicQuantizeMatMul (core/optimizer/
// matmul_integer_to_float.cc, then dynamic_quantize_matmul_fusion.cc):
//
//   DynamicQuantizeLinear(X)                          -> Xq (uint8), Xs, Xzp
//   MatMulInteger(Xq, W.weight_quantized, Xzp, W.weight_zero_point)  -> int32
//   Cast(to = FLOAT) ; Mul(Xs, W.weight_scale) ; Mul(cast, scale) ; Add(·, W.bias)
//
// with the fusions' conditions met: one DynamicQuantizeLinear per MatMul (its three outputs have
// one consumer each; ORT's own quantizer shares one across Q/K/V and so loses the last fusion),
// the activation scale first in the scale Mul, the weight, its scales and zero points constant
// initializers, the bias a 1-d initializer as the Add's second input. Linears that read the same
// input (query, key, value) share one MatMulInteger on their concatenated weights and a Split
// (quantize.cc says why). Weights are symmetric int8 with one scale per output channel;
// activations are quantized per tensor at run time.
#include <onnx/onnx_pb.h>

#include <cstdint>
#include <string>
#include <vector>

#include "spec/names.h"  // header-only constants: the file contract

namespace cola::graph {

struct QuantizeOptions {
  bool reduce_range = true;  // 7-bit weights: exact with AVX2's VPMADDUBSW (quantize_weights.h)
  bool embeddings = false;   // also the word-embedding table: int8, a scale per row
};

struct QuantizeSummary {
  std::vector<std::string> linears;  // Hugging Face names of the Linears quantized, graph order
  std::vector<std::string> kept;     // Linears left in fp32 (too narrow to gain: the classifier)
  std::string embeddings;            // the table quantized, "" if none
};

/// A Linear whose output has fewer channels than this stays fp32: quantizing X costs more than
/// its GEMM saves, and its rounding goes straight into the logits.
inline constexpr int64_t kMinQuantizedChannels = 16;

/// Rewrites `model` in place. Throws Error for a model already quantized, or one with no Linear
/// the pass recognises (not a graph `cola export` wrote).
QuantizeSummary quantize_model(onnx::ModelProto& model, const QuantizeOptions& options);

/// The metadata key recording the settings, in the file contract's table beside the others.
using spec::names::kMetaQuantization;

/// The JSON stored under kMetaQuantization: method, weight format, range, embeddings, and the
/// counts of quantized and fp32 Linears.
std::string quantization_json(const QuantizeOptions& options, const QuantizeSummary& summary);

}  // namespace cola::graph

#pragma once
// Quantizing a cola export to int8 and validating the result against the fp32 model it came
// from, shared by `cola export --quantize int8` (the reference is LibTorch) and `cola quantize`
// (the reference is the fp32 .onnx file, on ONNX Runtime). Torch-free.
#include <onnx/onnx_pb.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "graph/quantize.h"
#include "predict/predictor.h"
#include "validate/validation.h"

namespace cola::validate {

/// What quantize() did.
struct Quantized {
  graph::QuantizeSummary summary;  // the Linears quantized and kept, the embedding table
  std::string json;                // the settings, as stored under kMetaQuantization
};

/// Runs the int8 pass on `model` in place and records its settings in the metadata
/// (kMetaQuantization). Throws as graph::quantize_model.
Quantized quantize(onnx::ModelProto& model, const graph::QuantizeOptions& options);

/// The fp32 model a quantized file is checked against.
struct Fp32Reference {
  /// The parity rows of the int8 bytes against it on runtime::parity_cases (quantized rows:
  /// judged on the logits' cosine, kQuantizedMinCosine).
  std::function<std::vector<ParityRow>(const std::string& int8_bytes)> parity;
  /// Opens it as a Predictor, to score --validate-data (called only then).
  std::function<std::unique_ptr<predict::Predictor>()> open_predictor;
};

/// Validates a quantized file: the checker and strict shape inference must infer its logits as
/// [batch, num_labels]; the parity rows come from `reference`; with `validate_data` (labelled
/// TSV or JSONL) the reference and the int8 file both score it. Errors name what failed; the
/// verdict is Validation::passed() (see require_passed).
Validation validate_quantized(const onnx::ModelProto& int8, const std::string& int8_bytes,
                              int64_t num_labels, const Fp32Reference& reference,
                              const std::filesystem::path& validate_data);

/// The parity rows of `int8_bytes` against the fp32 file `fp32` (`fp32_bytes`) on ONNX Runtime,
/// both fed the same random tokens: `cola quantize`'s reference, which has no LibTorch.
std::vector<ParityRow> onnx_parity(const onnx::ModelProto& fp32, const std::string& fp32_bytes,
                                   const std::string& int8_bytes);

/// Throws Error unless a quantized file's validation passed: the data agreement first, then the
/// parity rows' cosine, saying that `output` was not written.
void require_passed(const Validation& v, const std::string& output);

}  // namespace cola::validate

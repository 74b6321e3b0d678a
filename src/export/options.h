#pragma once
// What `cola export` is asked to do and what it reports: plain structs with no LibTorch and no
// protobuf, so the CLI (which does not link LibTorch) can build a request for the plugin and
// print the result.
#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "core/error.h"
#include "validate/validation.h"

namespace cola::exporter {

/// The opsets we write: 14 (the default: ONNX Runtime >= 1.11, TensorRT, OpenVINO...) and 17
/// (LayerNormalization as one op).
inline constexpr int64_t kDefaultOpset = 14;

/// Throws UsageError naming the valid values unless `opset` is 14 or 17. (Inline: the CLI checks
/// it before the LibTorch plugin loads.)
inline void check_opset(int64_t opset) {
  if (opset != 14 && opset != 17) {
    throw UsageError("--opset " + std::to_string(opset) + " is not supported; use 14 or 17");
  }
}

/// `--quantize` values: "" (fp32, the default) or "int8".
inline constexpr char kInt8[] = "int8";

/// Throws UsageError unless `quantize` is "" or "int8" (checked before the plugin loads).
inline void check_quantize(const std::string& quantize) {
  if (!quantize.empty() && quantize != kInt8) {
    throw UsageError("--quantize " + quantize + " is not supported; use int8");
  }
}

struct ExportOptions {
  int64_t opset = kDefaultOpset;        // 14 or 17
  bool validate = true;                 // checker + shape inference + LibTorch/ORT parity first
  bool with_probabilities = false;      // add a "probabilities" output (Softmax of the logits)
  bool token_type_ids = false;          // add a token_type_ids input; else every type is 0
  std::string quantize = {};            // "int8": dynamic int8 Linears (graph/quantize.h)
  bool reduce_range = true;             // int8: 7-bit weights, exact on AVX2 (--full-range: off)
  bool quantize_embeddings = false;     // int8: the word-embedding table too, a scale per row
  std::filesystem::path validate_data;  // int8: labelled TSV/JSONL scored by fp32 and int8
};

/// The validation report (validate/validation.h), which `cola quantize` shares.
using validate::kMinDataAgreement;
using validate::kQuantizedMinCosine;
using validate::ParityRow;
using validate::Validation;

struct ExportRequest {
  std::string checkpoint;        // a checkpoint: directory, file, .ckpt or Hub id
                                 // (checkpoint/checkpoint_source.h)
  std::filesystem::path output;  // the .onnx file; written only after validation passes
  ExportOptions options;
  /// Called with the validation results before export_checkpoint returns or throws for a
  /// failed validation (the CLI prints the table from here). May be empty.
  std::function<void(const Validation&)> on_validated;
  std::string config = {};  // --config: config.json (or its directory, or a Hub id) for
                            // a checkpoint without one; "" = the checkpoint's own
  std::vector<std::string> labels = {};  // --labels: output names; empty = the config's id2label
  bool allow_non_finite = false;         // --allow-non-finite: load NaN/Inf weights as they are
};

struct ExportResult {
  std::filesystem::path output;  // the file written
  std::string config_json;       // the checkpoint's config.json, as built (labels resolved)
  int64_t bytes = 0;             // its size
  std::string sha256;            // of its bytes (deterministic: same checkpoint, same hash)
  int64_t nodes = 0;             // nodes in the graph
  int64_t initializers = 0;      // initializers (weights and constants)
  double export_seconds = 0;     // load + build + serialise, validation excluded
  double validate_seconds = 0;   // 0 when validation was skipped
  std::string quantization;      // the metadata's quantization JSON; "" for fp32
  Validation validation;
};

}  // namespace cola::exporter

#pragma once
// What `cola export` is asked to do and what it reports: plain structs with no LibTorch and no
// protobuf, so the CLI (which does not link LibTorch) can build a request for the plugin and
// print the result.
#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "core/error.h"

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

struct ExportOptions {
  int64_t opset = kDefaultOpset;    // 14 or 17
  bool validate = true;             // checker + shape inference + LibTorch/ORT parity first
  bool with_probabilities = false;  // add a "probabilities" output (Softmax of the logits)
  bool token_type_ids = false;      // add a token_type_ids input; else every type is 0
};

/// One row of the parity table: the largest difference between LibTorch's and ONNX Runtime's
/// outputs (logits, and probabilities when exported) on one input shape.
struct ParityRow {
  int64_t batch = 0;
  int64_t sequence = 0;      // padded length; rows of a batch may be shorter (mask 0)
  std::string note;          // what is special about the shape ("mixed lengths, padded")
  double max_abs_diff = 0;   // max |torch - ort| over every output element
  double tolerance = 0;      // the bound max_abs_diff must stay within
  bool argmax_equal = true;  // every row predicts the same class in both
  bool passed() const { return max_abs_diff <= tolerance && argmax_equal; }
};

/// What a validation found; empty when validation was skipped.
struct Validation {
  bool ran = false;
  std::string inferred_logits_shape;  // e.g. "[batch, 2]", from strict ONNX shape inference
  std::vector<ParityRow> parity;
  bool passed() const {
    return std::all_of(parity.begin(), parity.end(), [](const ParityRow& r) { return r.passed(); });
  }
};

struct ExportRequest {
  std::string checkpoint;        // a checkpoint: directory, file, .ckpt or Hub id
                                 // (model/checkpoint_source.h)
  std::filesystem::path output;  // the .onnx file; written only after validation passes
  ExportOptions options;
  /// Called with the validation results before export_checkpoint returns or throws for a
  /// failed validation (the CLI prints the table from here). May be empty.
  std::function<void(const Validation&)> on_validated;
  std::string config = {};  // --config: config.json (or its directory, or a Hub id) for
                            // a checkpoint without one; "" = the checkpoint's own
  std::vector<std::string> labels = {};  // --labels: output names; empty = the config's id2label
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
  Validation validation;
};

}  // namespace cola::exporter

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
#include "predict/compare.h"

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

/// An int8 row passes when the cosine of its logits with the reference's is at least this. On
/// random tokens rounding moves logits but keeps their direction (trained bert-tiny: 0.99999;
/// random bert-mini with inflated weights: 0.98); a wrong graph does not. Whether int8 is good
/// enough is decided on real sentences (--validate-data), not here.
inline constexpr double kQuantizedMinCosine = 0.9;
/// With --validate-data, int8 must predict fp32's class on at least this share of the sentences.
inline constexpr double kMinDataAgreement = 0.99;

/// One row of the parity table: how far ONNX Runtime's outputs are from LibTorch's (logits, and
/// probabilities when exported) on one input shape.
struct ParityRow {
  int64_t batch = 0;
  int64_t sequence = 0;      // padded length; rows of a batch may be shorter (mask 0)
  std::string note;          // what is special about the shape ("mixed lengths, padded")
  double max_abs_diff = 0;   // max |torch - ort| over every output element
  double tolerance = 0;      // the bound on max_abs_diff (fp32) or on cosine from below (int8)
  bool argmax_equal = true;  // every row predicts the same class in both
  bool quantized = false;    // the ONNX model is int8: judged on the cosine, not max_abs_diff
  double max_prob_diff = 0;  // max |Δ| of the softmax probabilities
  double agreement = 1;      // share of rows with the same argmax
  double cosine = 1;         // of the logits, the batch's rows concatenated
  bool passed() const {
    return quantized ? cosine >= tolerance : max_abs_diff <= tolerance && argmax_equal;
  }
};

/// What a validation found; empty when validation was skipped.
struct Validation {
  bool ran = false;
  std::string inferred_logits_shape;  // e.g. "[batch, 2]", from strict ONNX shape inference
  std::vector<ParityRow> parity;
  bool has_data = false;         // --validate-data was given
  predict::DataComparison data;  // fp32 (reference) against int8 (candidate) on it
  bool data_passed() const { return !has_data || data.logits.agreement() >= kMinDataAgreement; }
  /// The error for !data_passed(): how much int8 agreed, on what, and that `output` is not written.
  std::string data_failure(const std::string& output) const {
    return fmt::format(
        "validation failed: the int8 model predicts fp32's class on {:.2f}% of {}, below {}%; "
        "{} was not written",
        100 * data.logits.agreement(), data.data, 100 * kMinDataAgreement, output);
  }
  bool passed() const {
    return data_passed() &&
           std::all_of(parity.begin(), parity.end(), [](const ParityRow& r) { return r.passed(); });
  }
};

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

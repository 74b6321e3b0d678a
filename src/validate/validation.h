#pragma once
// What validating an ONNX file found, before it is written: the parity table (ONNX Runtime's
// outputs against the reference's on random shapes) and, for int8, the agreement on labelled
// sentences. `cola export` and `cola quantize` fill it and print it the same way.
#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "predict/compare.h"

namespace cola::validate {

/// An int8 row passes when the cosine of its logits with the reference's is at least this. On
/// random tokens rounding moves logits but keeps their direction (trained bert-tiny: 0.99999;
/// random bert-mini with inflated weights: 0.98); a wrong graph does not. Whether int8 is good
/// enough is decided on real sentences (--validate-data), not here.
inline constexpr double kQuantizedMinCosine = 0.9;
/// With --validate-data, int8 must predict fp32's class on at least this share of the sentences.
inline constexpr double kMinDataAgreement = 0.99;

/// One row of the parity table: how far ONNX Runtime's outputs are from the reference's (LibTorch
/// for `cola export`, the fp32 file for `cola quantize`; logits, and probabilities when exported)
/// on one input shape.
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

}  // namespace cola::validate

#pragma once
// Validation of an exported model before it is written (on by default in `cola export`):
//   1. onnx::checker, then strict shape inference, which must infer logits as [batch, labels];
//   2. numeric parity: LibTorch's forward() against ONNX Runtime on the serialized bytes, on
//      shapes from one token to max_position_embeddings, padded and not.
#include <onnx/onnx_pb.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "export/bert_graph.h"
#include "export/options.h"
#include "model/bert.h"

namespace cola::exporter {

/// Every logit within this of LibTorch's (and the same argmax).
inline constexpr double kParityTolerance = 1e-4;

/// Runs onnx::checker::check_model and strict shape inference (type checks, node errors fatal,
/// data propagation). Returns the inferred shape of `output` ("[batch, 2]") and throws Error
/// unless it is [batch, num_labels] with a symbolic batch.
std::string check_graph(const onnx::ModelProto& model, const std::string& output,
                        int64_t num_labels);

/// One input shape of the parity check.
struct ParityCase {
  int64_t batch = 0;
  int64_t sequence = 0;
  std::vector<int64_t> lengths;  // real tokens per row (<= sequence); the rest is padding
  std::string note;
};

/// (1,1), (1,7), (3, mixed lengths with padding), (8,64) and (2, max_position_embeddings); a
/// sequence longer than max_position_embeddings is cut to it.
std::vector<ParityCase> parity_cases(int64_t max_position_embeddings);

/// Runs every case through `model` (which must be in eval mode) and through ONNX Runtime on
/// `onnx_bytes`, built from it with `request`; one row per case.
std::vector<ParityRow> check_parity(model::BertForSequenceClassificationImpl& model,
                                    std::string_view onnx_bytes, const GraphRequest& request,
                                    const std::vector<ParityCase>& cases);

}  // namespace cola::exporter

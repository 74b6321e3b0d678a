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
#include "graph/check.h"
#include "model/bert.h"
#include "runtime/parity.h"

namespace cola::exporter {

/// Every logit within this of LibTorch's (and the same argmax).
inline constexpr double kParityTolerance = 1e-4;

/// The checker, default-domain ops and strict shape inference (graph/check.h).
using graph::check_graph;

/// The shapes of the parity check (runtime/parity.h).
using runtime::parity_cases;
using runtime::ParityCase;

/// Runs every case through `model` (which must be in eval mode) and through ONNX Runtime on
/// `onnx_bytes`, built from it with `request`; one row per case. A `quantized` file's rows are
/// judged on the cosine of the logits (kQuantizedMinCosine) and report probabilities and
/// agreement.
std::vector<ParityRow> check_parity(model::BertForSequenceClassificationImpl& model,
                                    std::string_view onnx_bytes, const GraphRequest& request,
                                    const std::vector<ParityCase>& cases, bool quantized = false);

}  // namespace cola::exporter

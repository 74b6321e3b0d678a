#pragma once
// The whole BertForSequenceClassification as an ONNX ModelProto: graph inputs and outputs around
// the layers' own to_onnx() (model/bert.h), plus the model-level fields.
#include <onnx/onnx_pb.h>

#include <string>
#include <vector>

#include "export/onnx_builder.h"
#include "model/bert.h"
#include "spec/graph_builder.h"
#include "spec/names.h"

namespace cola::exporter {

using spec::names::kAttentionMask;  // the input names are in the naming table
using spec::names::kInputIds;
using spec::names::kTokenTypeIds;
inline constexpr char kProbabilities[] = "probabilities";
inline constexpr char kBatchDim[] = "batch";
inline constexpr char kSequenceDim[] = "sequence";

struct GraphRequest {
  spec::GraphOptions graph;                // opset and style
  bool token_type_ids = false;             // a token_type_ids input (else types are all 0)
  bool probabilities = false;              // a "probabilities" output, Softmax of the logits
  std::vector<std::string> extra_outputs;  // intermediate values to expose too (per-layer tests)
};

/// The model (in eval semantics: dropout is the identity) as an ONNX model. `info` supplies the
/// metadata and producer version; its graph name and doc string are filled in when empty.
onnx::ModelProto build_model(const model::BertForSequenceClassificationImpl& model,
                             const GraphRequest& request, ModelInfo info);

}  // namespace cola::exporter

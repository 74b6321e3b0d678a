#include "export/bert_graph.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "spec/names.h"

namespace cola::exporter {
namespace {

using spec::Dim;
using spec::ElemType;
using spec::Value;

std::string describe(const spec::BertConfig& c, const GraphRequest& r, const std::string& version) {
  return fmt::format(
      "BertForSequenceClassification: {} layers, hidden {}, {} heads, intermediate {}, vocab {}, "
      "labels [{}]. Inputs: input_ids and attention_mask (1 = token, 0 = padding){}, int64 "
      "[batch, sequence], sequence <= {}. Outputs: logits float [batch, {}]{}. Initializers "
      "carry Hugging Face parameter names; Linear weights are stored transposed, [in, out]. "
      "Exported by cola {}.",
      c.num_hidden_layers, c.hidden_size, c.num_attention_heads, c.intermediate_size, c.vocab_size,
      fmt::join(c.id2label, ", "), r.token_type_ids ? ", token_type_ids" : "",
      c.max_position_embeddings, c.num_labels(),
      r.probabilities ? ", probabilities (softmax of logits)" : "", version);
}

}  // namespace

onnx::ModelProto build_model(const model::BertForSequenceClassificationImpl& model,
                             const GraphRequest& request, ModelInfo info) {
  const auto& config = model.config();
  OnnxGraphBuilder b(request.graph);
  const std::vector<Dim> batch_seq = {std::string(kBatchDim), std::string(kSequenceDim)};
  const Value ids = b.input(kInputIds, spec::ElemType::kInt64, batch_seq);
  const Value mask = b.input(kAttentionMask, spec::ElemType::kInt64, batch_seq);
  const Value types =
      request.token_type_ids ? b.input(kTokenTypeIds, spec::ElemType::kInt64, batch_seq) : Value();

  const Value logits = model.to_onnx(b, ids, mask, types);
  const std::vector<Dim> batch_labels = {std::string(kBatchDim), config.num_labels()};
  b.output(logits, spec::ElemType::kFloat, batch_labels);
  if (request.probabilities) {
    const Value probs = b.node("Softmax", {logits}, {{"axis", int64_t{-1}}}, kProbabilities);
    b.output(probs, spec::ElemType::kFloat, batch_labels);
  }
  for (const auto& name : request.extra_outputs) b.output(Value(name), spec::ElemType::kFloat, {});

  if (info.graph_name.empty()) info.graph_name = "cola_bert_sequence_classification";
  if (info.doc_string.empty()) info.doc_string = describe(config, request, info.producer_version);
  return b.finish(std::move(info));
}

}  // namespace cola::exporter

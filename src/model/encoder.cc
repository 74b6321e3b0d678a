#include "model/encoder.h"

#include <string>

#include "model/graph_ops.h"
#include "model/names.h"

namespace cola::model {

IntermediateImpl::IntermediateImpl(const BertConfig& config) {
  dense_ = register_module(names::kDense,
                           torch::nn::Linear(config.hidden_size, config.intermediate_size));
}

torch::Tensor IntermediateImpl::forward(const torch::Tensor& x) { return torch::gelu(dense_(x)); }

Value IntermediateImpl::to_onnx(GraphBuilder& b, const Value& x) const {
  return graph::gelu(b, graph::linear(b, *dense_, names::kDense, x, 3));
}

EncoderLayerImpl::EncoderLayerImpl(const BertConfig& config) {
  attention_ = register_module(names::kAttention, Attention(config));
  intermediate_ = register_module(names::kIntermediate, Intermediate(config));
  output_ = register_module(names::kOutput, ResidualOutput(config, config.intermediate_size));
}

torch::Tensor EncoderLayerImpl::forward(const torch::Tensor& x, const torch::Tensor& additive_mask,
                                        bool first_token_only) {
  const auto attended = attention_(x, additive_mask, first_token_only);
  return output_(intermediate_(attended), attended);
}

Value EncoderLayerImpl::to_onnx(GraphBuilder& b, const Value& x, const Value& additive_mask,
                                bool first_token_only) const {
  const std::string name = b.scoped(names::kOutput);
  Value attended;
  Value expanded;
  {
    GraphBuilder::Scope scope(b, names::kAttention);
    attended = attention_->to_onnx(b, x, additive_mask, first_token_only);
  }
  {
    GraphBuilder::Scope scope(b, names::kIntermediate);
    expanded = intermediate_->to_onnx(b, attended);
  }
  GraphBuilder::Scope scope(b, names::kOutput);
  return output_->to_onnx(b, expanded, attended, name);
}

EncoderImpl::EncoderImpl(const BertConfig& config) {
  layers_ = register_module(names::kLayer, torch::nn::ModuleList());
  for (int64_t i = 0; i < config.num_hidden_layers; ++i) layers_->push_back(EncoderLayer(config));
}

torch::Tensor EncoderImpl::forward(torch::Tensor x, const torch::Tensor& additive_mask,
                                   std::vector<torch::Tensor>* layer_outputs,
                                   bool first_token_only) {
  for (int64_t i = 0; i < num_layers(); ++i) {
    x = layer(i)(x, additive_mask, first_token_only && i + 1 == num_layers());
    if (layer_outputs != nullptr) layer_outputs->push_back(x);
  }
  return x;
}

Value EncoderImpl::to_onnx(GraphBuilder& b, Value x, const Value& additive_mask,
                           bool first_token_only) const {
  GraphBuilder::Scope scope(b, names::kLayer);
  for (int64_t i = 0; i < num_layers(); ++i) {
    GraphBuilder::Scope layer_scope(b, std::to_string(i));
    x = layer(i)->to_onnx(b, x, additive_mask, first_token_only && i + 1 == num_layers());
  }
  return x;
}

EncoderLayer EncoderImpl::layer(int64_t i) const {
  return EncoderLayer(layers_->ptr<EncoderLayerImpl>(static_cast<size_t>(i)));
}

}  // namespace cola::model

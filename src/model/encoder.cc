#include "model/encoder.h"

#include <string>

#include "model/graph_ops.h"
#include "spec/names.h"

namespace cola::model {

IntermediateImpl::IntermediateImpl(const spec::BertConfig& config) {
  dense_ = register_module(spec::names::kDense,
                           torch::nn::Linear(config.hidden_size, config.intermediate_size));
}

torch::Tensor IntermediateImpl::forward(const torch::Tensor& x) { return torch::gelu(dense_(x)); }

spec::Value IntermediateImpl::to_onnx(spec::GraphBuilder& b, const spec::Value& x) const {
  return graph::gelu(b, graph::linear(b, *dense_, spec::names::kDense, x, 3));
}

EncoderLayerImpl::EncoderLayerImpl(const spec::BertConfig& config) {
  attention_ = register_module(spec::names::kAttention, Attention(config));
  intermediate_ = register_module(spec::names::kIntermediate, Intermediate(config));
  output_ = register_module(spec::names::kOutput, ResidualOutput(config, config.intermediate_size));
}

torch::Tensor EncoderLayerImpl::forward(const torch::Tensor& x, const torch::Tensor& additive_mask,
                                        bool first_token_only) {
  const auto attended = attention_(x, additive_mask, first_token_only);
  return output_(intermediate_(attended), attended);
}

spec::Value EncoderLayerImpl::to_onnx(spec::GraphBuilder& b, const spec::Value& x,
                                      const spec::Value& additive_mask,
                                      bool first_token_only) const {
  const std::string name = b.scoped(spec::names::kOutput);
  spec::Value attended;
  spec::Value expanded;
  {
    spec::GraphBuilder::Scope scope(b, spec::names::kAttention);
    attended = attention_->to_onnx(b, x, additive_mask, first_token_only);
  }
  {
    spec::GraphBuilder::Scope scope(b, spec::names::kIntermediate);
    expanded = intermediate_->to_onnx(b, attended);
  }
  spec::GraphBuilder::Scope scope(b, spec::names::kOutput);
  return output_->to_onnx(b, expanded, attended, name);
}

EncoderImpl::EncoderImpl(const spec::BertConfig& config) {
  layers_ = register_module(spec::names::kLayer, torch::nn::ModuleList());
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

spec::Value EncoderImpl::to_onnx(spec::GraphBuilder& b, spec::Value x,
                                 const spec::Value& additive_mask, bool first_token_only) const {
  spec::GraphBuilder::Scope scope(b, spec::names::kLayer);
  for (int64_t i = 0; i < num_layers(); ++i) {
    spec::GraphBuilder::Scope layer_scope(b, std::to_string(i));
    x = layer(i)->to_onnx(b, x, additive_mask, first_token_only && i + 1 == num_layers());
  }
  return x;
}

EncoderLayer EncoderImpl::layer(int64_t i) const {
  return EncoderLayer(layers_->ptr<EncoderLayerImpl>(static_cast<size_t>(i)));
}

}  // namespace cola::model

#include "model/encoder.h"

#include "model/names.h"

namespace cola::model {

IntermediateImpl::IntermediateImpl(const BertConfig& config) {
  dense_ = register_module(names::kDense,
                           torch::nn::Linear(config.hidden_size, config.intermediate_size));
}

torch::Tensor IntermediateImpl::forward(const torch::Tensor& x) { return torch::gelu(dense_(x)); }

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

EncoderLayer EncoderImpl::layer(int64_t i) const {
  return EncoderLayer(layers_->ptr<EncoderLayerImpl>(static_cast<size_t>(i)));
}

}  // namespace cola::model

#include "model/attention.h"

#include <cmath>

#include "model/dropout.h"
#include "model/graph_ops.h"
#include "spec/names.h"

namespace cola::model {

SelfAttentionImpl::SelfAttentionImpl(const spec::BertConfig& config)
    : num_heads_(config.num_attention_heads),
      head_size_(config.head_size()),
      dropout_(config.attention_probs_dropout_prob) {
  query_ = register_module(spec::names::kQuery,
                           torch::nn::Linear(config.hidden_size, config.hidden_size));
  key_ =
      register_module(spec::names::kKey, torch::nn::Linear(config.hidden_size, config.hidden_size));
  value_ = register_module(spec::names::kValue,
                           torch::nn::Linear(config.hidden_size, config.hidden_size));
}

torch::Tensor SelfAttentionImpl::forward(const torch::Tensor& x, const torch::Tensor& additive_mask,
                                         bool first_token_only) {
  const int64_t batch = x.size(0);
  // [B, S, H] -> [B, heads, S, head_size]
  const auto split_heads = [&](const torch::Tensor& t) {
    return t.view({batch, t.size(1), num_heads_, head_size_}).transpose(1, 2);
  };
  const auto q = split_heads(query_(first_token_only ? x.narrow(1, 0, 1) : x));
  const auto k = split_heads(key_(x));
  const auto v = split_heads(value_(x));
  // Scores [B, heads, S, S]; the scale 1/sqrt(head_size) is from "Attention Is All You Need".
  auto scores = torch::matmul(q, k.transpose(-1, -2)) / std::sqrt(static_cast<double>(head_size_));
  auto probs = torch::softmax(scores + additive_mask, -1);
  probs = fast_dropout(probs, dropout_, is_training());
  // [B, heads, S, head_size] -> [B, S, H]
  return torch::matmul(probs, v).transpose(1, 2).contiguous().view({batch, q.size(2), -1});
}

spec::Value SelfAttentionImpl::to_onnx(spec::GraphBuilder& b, const spec::Value& x,
                                       const spec::Value& queries,
                                       const spec::Value& additive_mask) const {
  const auto heads = [&](const torch::nn::Linear& linear, const char* segment,
                         const spec::Value& in, bool keys) {
    return graph::split_heads(b, graph::linear(b, *linear, segment, in, 3), num_heads_, head_size_,
                              keys);
  };
  const spec::Value q = heads(query_, spec::names::kQuery, queries, false);
  const spec::Value k_t = heads(key_, spec::names::kKey, x, true);  // [B, heads, head_size, S]
  const spec::Value v = heads(value_, spec::names::kValue, x, false);
  const auto scale = static_cast<float>(std::sqrt(static_cast<double>(head_size_)));
  const spec::Value scores = b.node("Div", {b.node("MatMul", {q, k_t}), b.constant(scale)});
  // Softmax-13 normalises along one axis (the keys), as torch::softmax(-1) does.
  const spec::Value probs =
      b.node("Softmax", {b.node("Add", {scores, additive_mask})}, {{"axis", int64_t{-1}}});
  return graph::merge_heads(b, b.node("MatMul", {probs, v}), num_heads_ * head_size_);
}

ResidualOutputImpl::ResidualOutputImpl(const spec::BertConfig& config, int64_t in_features)
    : dropout_(config.hidden_dropout_prob) {
  dense_ = register_module(spec::names::kDense, torch::nn::Linear(in_features, config.hidden_size));
  layer_norm_ = register_module(
      spec::names::kLayerNorm,
      torch::nn::LayerNorm(
          torch::nn::LayerNormOptions({config.hidden_size}).eps(config.layer_norm_eps)));
}

torch::Tensor ResidualOutputImpl::forward(const torch::Tensor& x, const torch::Tensor& residual) {
  return layer_norm_(fast_dropout(dense_(x), dropout_, is_training()) + residual);
}

spec::Value ResidualOutputImpl::to_onnx(spec::GraphBuilder& b, const spec::Value& x,
                                        const spec::Value& residual,
                                        const std::string& output) const {
  const spec::Value sum =
      b.node("Add", {graph::linear(b, *dense_, spec::names::kDense, x, 3), residual});
  return graph::layer_norm(b, *layer_norm_, spec::names::kLayerNorm, sum, output);
}

AttentionImpl::AttentionImpl(const spec::BertConfig& config) {
  self_ = register_module(spec::names::kSelf, SelfAttention(config));
  output_ = register_module(spec::names::kOutput, ResidualOutput(config, config.hidden_size));
}

torch::Tensor AttentionImpl::forward(const torch::Tensor& x, const torch::Tensor& additive_mask,
                                     bool first_token_only) {
  return output_(self_(x, additive_mask, first_token_only),
                 first_token_only ? x.narrow(1, 0, 1) : x);
}

spec::Value AttentionImpl::to_onnx(spec::GraphBuilder& b, const spec::Value& x,
                                   const spec::Value& additive_mask, bool first_token_only) const {
  const std::string name = b.scoped(spec::names::kOutput);
  const spec::Value queries = first_token_only ? graph::first_token(b, x) : x;
  spec::Value context;
  {
    spec::GraphBuilder::Scope scope(b, spec::names::kSelf);
    context = self_->to_onnx(b, x, queries, additive_mask);
  }
  spec::GraphBuilder::Scope scope(b, spec::names::kOutput);
  return output_->to_onnx(b, context, queries, name);
}

}  // namespace cola::model

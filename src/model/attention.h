#pragma once
// Multi-head self-attention and the dense + residual + LayerNorm block that follows it (Hugging
// Face BertSelfAttention, BertSelfOutput, BertAttention). Post-LayerNorm, as in the original BERT.
#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>
#include <torch/nn/pimpl.h>

#include "spec/bert_config.h"
#include "spec/graph_builder.h"

namespace cola::model {

/// Scaled dot-product attention over all heads: softmax(Q K^T / sqrt(head_size) + mask) V.
class SelfAttentionImpl : public torch::nn::Module {
 public:
  explicit SelfAttentionImpl(const spec::BertConfig& config);

  /// x: [B, S, H]; additive_mask: [B, 1, 1, S], 0 for real keys and -10000 for padding.
  /// Returns the concatenated heads' context, [B, S, H], or [B, 1, H] for the first query only
  /// (keys and values still come from every token).
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& additive_mask,
                        bool first_token_only = false);
  /// The same in ONNX. `queries` is x, or x's first position for `first_token_only` (the caller
  /// also needs it as the residual, so it is made once).
  spec::Value to_onnx(spec::GraphBuilder& b, const spec::Value& x, const spec::Value& queries,
                      const spec::Value& additive_mask) const;

 private:
  torch::nn::Linear query_{nullptr};
  torch::nn::Linear key_{nullptr};
  torch::nn::Linear value_{nullptr};
  int64_t num_heads_;
  int64_t head_size_;
  double dropout_;  // on the attention probabilities
};
TORCH_MODULE(SelfAttention);

/// LayerNorm(dropout(dense(x)) + residual): HF's BertSelfOutput after attention and BertOutput
/// after the feed-forward block; `in_features` is H or the intermediate size respectively.
class ResidualOutputImpl : public torch::nn::Module {
 public:
  ResidualOutputImpl(const spec::BertConfig& config, int64_t in_features);

  /// x: [B, S, in_features]; residual: [B, S, H] -> [B, S, H].
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& residual);
  /// The same in ONNX; the result is named `output`.
  spec::Value to_onnx(spec::GraphBuilder& b, const spec::Value& x, const spec::Value& residual,
                      const std::string& output) const;

 private:
  torch::nn::Linear dense_{nullptr};
  torch::nn::LayerNorm layer_norm_{nullptr};
  double dropout_;
};
TORCH_MODULE(ResidualOutput);

/// Self-attention plus its output block; "attention.self" and "attention.output" in HF names.
class AttentionImpl : public torch::nn::Module {
 public:
  explicit AttentionImpl(const spec::BertConfig& config);

  /// x: [B, S, H] -> [B, S, H], or [B, 1, H] with `first_token_only`.
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& additive_mask,
                        bool first_token_only = false);
  /// The same in ONNX; the result is "<scope>.output" (names::kLayerAttentionOutput).
  spec::Value to_onnx(spec::GraphBuilder& b, const spec::Value& x, const spec::Value& additive_mask,
                      bool first_token_only) const;

 private:
  SelfAttention self_{nullptr};
  ResidualOutput output_{nullptr};
};
TORCH_MODULE(Attention);

}  // namespace cola::model

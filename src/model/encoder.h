#pragma once
// The encoder stack: L post-LayerNorm transformer layers (Hugging Face BertLayer, BertEncoder).
#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

#include <vector>

#include "model/attention.h"
#include "spec/bert_config.h"
#include "spec/graph_builder.h"

namespace cola::model {

/// The feed-forward block's expansion: gelu(dense(x)), H -> intermediate_size.
class IntermediateImpl : public torch::nn::Module {
 public:
  explicit IntermediateImpl(const spec::BertConfig& config);

  /// x: [B, S, H] -> [B, S, intermediate_size]. Exact (erf) GELU, as BERT's "gelu"; the tanh
  /// approximation is off by about 1e-3 on the logits.
  torch::Tensor forward(const torch::Tensor& x);
  /// The same in ONNX.
  spec::Value to_onnx(spec::GraphBuilder& b, const spec::Value& x) const;

 private:
  torch::nn::Linear dense_{nullptr};
};
TORCH_MODULE(Intermediate);

/// One transformer layer: attention block, then feed-forward block, each with residual+LayerNorm.
class EncoderLayerImpl : public torch::nn::Module {
 public:
  explicit EncoderLayerImpl(const spec::BertConfig& config);

  /// x: [B, S, H]; additive_mask: [B, 1, 1, S] -> [B, S, H]. With `first_token_only`, only the
  /// first position's output is computed, [B, 1, H]: it attends to every token as usual.
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& additive_mask,
                        bool first_token_only = false);
  /// The same in ONNX; the result is "<scope>.output" (names::kLayerOutput).
  spec::Value to_onnx(spec::GraphBuilder& b, const spec::Value& x, const spec::Value& additive_mask,
                      bool first_token_only) const;

 private:
  Attention attention_{nullptr};
  Intermediate intermediate_{nullptr};
  ResidualOutput output_{nullptr};
};
TORCH_MODULE(EncoderLayer);

/// The stack of layers ("encoder.layer.{i}").
class EncoderImpl : public torch::nn::Module {
 public:
  explicit EncoderImpl(const spec::BertConfig& config);

  /// x: [B, S, H] -> [B, S, H]. If `layer_outputs` is given, each layer's output is appended.
  /// With `first_token_only`, the last layer computes only position 0 ([CLS]) and the result is
  /// [B, 1, H]: all a sequence classifier reads.
  torch::Tensor forward(torch::Tensor x, const torch::Tensor& additive_mask,
                        std::vector<torch::Tensor>* layer_outputs = nullptr,
                        bool first_token_only = false);
  /// The same in ONNX, each layer in scope "layer.{i}".
  spec::Value to_onnx(spec::GraphBuilder& b, spec::Value x, const spec::Value& additive_mask,
                      bool first_token_only) const;

  /// Layer i, for per-layer tests and export.
  EncoderLayer layer(int64_t i) const;
  int64_t num_layers() const { return static_cast<int64_t>(layers_->size()); }

 private:
  torch::nn::ModuleList layers_{nullptr};
};
TORCH_MODULE(Encoder);

}  // namespace cola::model

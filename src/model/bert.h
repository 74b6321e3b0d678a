#pragma once
// BertForSequenceClassification in LibTorch: the BERT encoder, the pooler and a linear classifier,
// with Hugging Face's module names (spec/names.h) so checkpoints load by name.
//
//   torch::manual_seed(seed);
//   BertForSequenceClassification model(config::bert_config(cfg.model, vocab.size(), labels));
//   torch::Tensor logits = model->forward(input_ids, attention_mask);   // [B, num_labels]
#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

#include <vector>

#include "model/embeddings.h"
#include "model/encoder.h"
#include "spec/bert_config.h"
#include "spec/graph_builder.h"

namespace cola::model {

/// Everything one forward pass computed, for per-layer comparisons (ONNX parity tests). Names of
/// these values in graphs: names::kEmbeddingsOutput, kLayerOutput, kPoolerOutput, kLogits.
struct BertOutputs {
  torch::Tensor embeddings;           // [B, S, H], after the embeddings' LayerNorm (and dropout)
  std::vector<torch::Tensor> layers;  // output of each encoder layer, [B, S, H]
  torch::Tensor pooled;               // [B, H]
  torch::Tensor logits;               // [B, num_labels]
};

/// attention_mask [B, S] (1 = token, 0 = padding) -> additive mask [B, 1, 1, S] of `dtype`:
/// 0 for tokens and -10000 for padding, so padded keys get ~0 attention after softmax.
torch::Tensor additive_attention_mask(const torch::Tensor& attention_mask, torch::ScalarType dtype);
/// The same in ONNX: int64 [B, S] -> float [B, 1, 1, S].
spec::Value additive_attention_mask(spec::GraphBuilder& b, const spec::Value& attention_mask);

/// tanh(dense(hidden[:, 0])): the [CLS] token's vector, as the sentence representation.
class PoolerImpl : public torch::nn::Module {
 public:
  explicit PoolerImpl(const spec::BertConfig& config);
  /// hidden: [B, S, H] (S may be 1: only [CLS] is read) -> [B, H].
  torch::Tensor forward(const torch::Tensor& hidden);
  /// The same in ONNX; the result is "<scope>.output" (names::kPoolerOutput).
  spec::Value to_onnx(spec::GraphBuilder& b, const spec::Value& hidden) const;

 private:
  torch::nn::Linear dense_{nullptr};
};
TORCH_MODULE(Pooler);

/// The encoder with its pooler (HF BertModel): "bert.*" in checkpoints.
class BertModelImpl : public torch::nn::Module {
 public:
  explicit BertModelImpl(const spec::BertConfig& config);
  /// [B, S] int64 inputs -> pooled [B, H]. Fills `outputs` (all but logits) when given.
  torch::Tensor forward(const torch::Tensor& input_ids, const torch::Tensor& attention_mask,
                        const torch::Tensor& token_type_ids, BertOutputs* outputs = nullptr);
  /// forward() without `outputs` in ONNX: the last layer computes [CLS] only (unless the style is
  /// GraphStyle::kTorchExport, which computes every position as torch.onnx.export would).
  spec::Value to_onnx(spec::GraphBuilder& b, const spec::Value& input_ids,
                      const spec::Value& attention_mask, const spec::Value& token_type_ids) const;

  Embeddings embeddings() const { return embeddings_; }
  Encoder encoder() const { return encoder_; }
  Pooler pooler() const { return pooler_; }

 private:
  Embeddings embeddings_{nullptr};
  Encoder encoder_{nullptr};
  Pooler pooler_{nullptr};
};
TORCH_MODULE(BertModel);

/// BERT plus dropout and a linear classifier on the pooled vector (HF
/// BertForSequenceClassification). The constructor initialises weights as HF does, from
/// LibTorch's global generator: seed it with torch::manual_seed first.
class BertForSequenceClassificationImpl : public torch::nn::Module {
 public:
  /// Validates the config (UsageError) and builds an initialised model. `init` false skips HF's
  /// init_weights (LibTorch's own module defaults remain): for a model whose every weight is
  /// about to be loaded, where it would only cost time (~0.5 s for bert-base).
  explicit BertForSequenceClassificationImpl(spec::BertConfig config, bool init = true);

  /// input_ids, attention_mask, token_type_ids: [B, S] int64 -> logits [B, num_labels], float32.
  /// An undefined attention_mask means all ones; undefined token_type_ids mean all zeros.
  /// Throws cola::Error for malformed inputs (wrong rank or dtype, S > max_position_embeddings,
  /// ids outside the vocab).
  torch::Tensor forward(const torch::Tensor& input_ids, const torch::Tensor& attention_mask = {},
                        const torch::Tensor& token_type_ids = {});
  /// Like forward, but also returns the embeddings, every layer's output and the pooled vector.
  BertOutputs forward_all(const torch::Tensor& input_ids, const torch::Tensor& attention_mask = {},
                          const torch::Tensor& token_type_ids = {});
  /// forward() in ONNX, in eval mode (dropout is the identity): graph inputs int64 [B, S] ->
  /// logits [B, num_labels], named names::kLogits. An undefined `token_type_ids` means zeros.
  spec::Value to_onnx(spec::GraphBuilder& b, const spec::Value& input_ids,
                      const spec::Value& attention_mask, const spec::Value& token_type_ids) const;

  /// HF's _init_weights on every submodule: Linear and Embedding weights ~ N(0,
  /// initializer_range), biases 0, the padding row 0, LayerNorm weight 1 and bias 0.
  void init_weights();
  /// Re-initialises only the classifier (for a checkpoint without a fine-tuned head).
  void reset_classifier();

  const spec::BertConfig& config() const { return config_; }
  BertModel bert() const { return bert_; }
  torch::nn::Linear classifier() const { return classifier_; }

 private:
  BertOutputs run(const torch::Tensor& input_ids, const torch::Tensor& attention_mask,
                  const torch::Tensor& token_type_ids, bool keep_all);

  spec::BertConfig config_;
  BertModel bert_{nullptr};
  torch::nn::Linear classifier_{nullptr};
};
TORCH_MODULE(BertForSequenceClassification);

}  // namespace cola::model

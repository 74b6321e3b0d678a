#pragma once
// BERT's input embeddings (Hugging Face BertEmbeddings).
#include <torch/nn/module.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/normalization.h>
#include <torch/nn/pimpl.h>

#include "spec/bert_config.h"
#include "spec/graph_builder.h"

namespace cola::model {

/// word + absolute position + token type embeddings, then LayerNorm and dropout.
class EmbeddingsImpl : public torch::nn::Module {
 public:
  explicit EmbeddingsImpl(const spec::BertConfig& config);

  /// input_ids, token_type_ids: [B, S] int64 -> [B, S, H]. Positions are 0..S-1.
  torch::Tensor forward(const torch::Tensor& input_ids, const torch::Tensor& token_type_ids);
  /// The same in ONNX, in this module's scope. An undefined `token_type_ids` means all zeros:
  /// the type-0 row is then a constant added to the position table (no Gather).
  spec::Value to_onnx(spec::GraphBuilder& b, const spec::Value& input_ids,
                      const spec::Value& token_type_ids) const;

  /// Makes the word embeddings' gradient sparse (only the rows of the batch's tokens). The
  /// trainer's FusedAdamW accepts it; LibTorch's own optimizers do not.
  void set_sparse_word_gradient(bool sparse) { word_embeddings_->options.sparse(sparse); }
  bool sparse_word_gradient() const { return word_embeddings_->options.sparse(); }

 private:
  torch::nn::Embedding word_embeddings_{nullptr};
  torch::nn::Embedding position_embeddings_{nullptr};
  torch::nn::Embedding token_type_embeddings_{nullptr};
  torch::nn::LayerNorm layer_norm_{nullptr};
  double dropout_;
};
TORCH_MODULE(Embeddings);

}  // namespace cola::model

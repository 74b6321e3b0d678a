#include "model/embeddings.h"

#include "model/dropout.h"
#include "model/names.h"

namespace cola::model {

EmbeddingsImpl::EmbeddingsImpl(const BertConfig& config) : dropout_(config.hidden_dropout_prob) {
  // padding_idx: the [PAD] row gets no gradient (as in HF); init_bert_weights zeroes it.
  word_embeddings_ = register_module(
      names::kWordEmbeddings,
      torch::nn::Embedding(torch::nn::EmbeddingOptions(config.vocab_size, config.hidden_size)
                               .padding_idx(config.pad_token_id)));
  position_embeddings_ =
      register_module(names::kPositionEmbeddings,
                      torch::nn::Embedding(config.max_position_embeddings, config.hidden_size));
  token_type_embeddings_ =
      register_module(names::kTokenTypeEmbeddings,
                      torch::nn::Embedding(config.type_vocab_size, config.hidden_size));
  layer_norm_ = register_module(
      names::kLayerNorm,
      torch::nn::LayerNorm(
          torch::nn::LayerNormOptions({config.hidden_size}).eps(config.layer_norm_eps)));
}

torch::Tensor EmbeddingsImpl::forward(const torch::Tensor& input_ids,
                                      const torch::Tensor& token_type_ids) {
  const auto positions = torch::arange(input_ids.size(1), input_ids.options());  // [S], broadcast
  auto x = word_embeddings_(input_ids) + token_type_embeddings_(token_type_ids) +
           position_embeddings_(positions);
  return fast_dropout(layer_norm_(x), dropout_, is_training());
}

}  // namespace cola::model

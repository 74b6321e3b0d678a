#include "config/model_spec.h"

#include <utility>

namespace cola::config {

spec::BertConfig bert_config(const ModelConfig& model, int64_t vocab_size,
                             std::vector<std::string> labels, int64_t pad_token_id) {
  spec::BertConfig c;
  c.vocab_size = vocab_size;
  c.hidden_size = model.hidden_size;
  c.num_hidden_layers = model.num_hidden_layers;
  c.num_attention_heads = model.num_attention_heads;
  c.intermediate_size = model.intermediate_size;
  c.hidden_dropout_prob = model.hidden_dropout_prob;
  c.attention_probs_dropout_prob = model.attention_probs_dropout_prob;
  c.classifier_dropout = model.classifier_dropout;
  c.max_position_embeddings = model.max_position_embeddings;
  c.type_vocab_size = model.type_vocab_size;
  c.initializer_range = model.initializer_range;
  c.layer_norm_eps = model.layer_norm_eps;
  c.pad_token_id = pad_token_id;
  c.id2label = std::move(labels);
  c.validate();
  return c;
}

}  // namespace cola::config

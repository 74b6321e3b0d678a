#pragma once
// A tiny random BertConfig for fast tests (the golden tests use ../shared's tiny-bert instead).
#include "spec/bert_config.h"

namespace cola::test {

inline spec::BertConfig tiny_config() {
  spec::BertConfig c;
  c.vocab_size = 50;
  c.hidden_size = 16;
  c.num_hidden_layers = 2;
  c.num_attention_heads = 2;
  c.intermediate_size = 32;
  c.max_position_embeddings = 24;
  c.id2label = {"unacceptable", "acceptable"};
  return c;
}

}  // namespace cola::test

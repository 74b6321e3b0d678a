#pragma once
// Random-weight checkpoints for the exporter tests: the shapes of bert-tiny's family, small
// vocabularies so that saving and hashing stay fast.
#include <torch/utils.h>

#include <filesystem>
#include <string>

#include "core/file.h"
#include "model/bert.h"
#include "model/checkpoint.h"
#include "support/tiny_config.h"

namespace cola::exporter::fixtures {

/// 2 layers, hidden 16, 2 heads, 24 positions: the fastest model that has every part (the model
/// tests' own).
using cola::test::tiny_config;

/// bert-mini's shape (4 layers, hidden 256, 4 heads, 512 positions), a smaller vocab, 3 labels.
inline spec::BertConfig mini_config() {
  spec::BertConfig c;
  c.vocab_size = 1000;
  c.hidden_size = 256;
  c.num_hidden_layers = 4;
  c.num_attention_heads = 4;
  c.intermediate_size = 1024;
  c.max_position_embeddings = 512;
  c.id2label = {"a", "b", "c"};
  return c;
}

/// A model with weights drawn from `seed`, in eval mode. HF's init (std 0.02) gives logits near
/// 0, so the weights are scaled up to make the logits, and any export error, visible.
inline model::BertForSequenceClassification random_model(const spec::BertConfig& config,
                                                         uint64_t seed) {
  torch::manual_seed(seed);
  model::BertForSequenceClassification m(config);
  torch::NoGradGuard no_grad;
  for (auto& p : m->parameters()) p.add_(torch::randn_like(p) * 0.2);
  m->eval();
  return m;
}

/// Saves `model` as a checkpoint directory at `dir` with a vocab of `vocab_size` tokens.
inline void save_random_checkpoint(const std::filesystem::path& dir,
                                   const model::BertForSequenceClassificationImpl& model) {
  std::string vocab = "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\n";
  for (int64_t i = 5; i < model.config().vocab_size; ++i) vocab += "tok" + std::to_string(i) + "\n";
  const auto vocab_path = dir.string() + ".vocab.txt";
  write_file_atomic(vocab_path, vocab);
  model::save_checkpoint(dir, model, vocab_path, spec::TokenizerConfig{});
}

}  // namespace cola::exporter::fixtures

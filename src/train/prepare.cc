#include "train/prepare.h"

#include "core/error.h"
#include "core/log.h"
#include "data/tokenize.h"
#include "text/vocab_trainer.h"

namespace cola::train {
namespace fs = std::filesystem;
namespace {

fs::path train_vocab(const data::Split& train, const config::DataConfig& cfg, const fs::path& dir) {
  text::TrainerOptions options;
  options.vocab_size = cfg.vocab_size;
  options.lowercase = cfg.lowercase;
  std::vector<std::string> sentences;
  sentences.reserve(train.examples.size());
  for (const auto& e : train.examples) sentences.push_back(e.sentence);
  text::WordCounts counts;
  text::count_words(sentences, options, counts);
  const auto tokens = text::train_wordpiece(counts, options);
  const fs::path path = dir / "vocab.txt";
  text::write_vocab(path, tokens);
  log::info("trained a {}-token WordPiece vocabulary on {} sentences: {}", tokens.size(),
            sentences.size(), path.string());
  return path;
}

}  // namespace

PreparedData prepare_data(const config::DataConfig& cfg, const fs::path& run_dir) {
  auto splits = data::read_splits(cfg);
  const fs::path vocab_path =
      cfg.vocab.empty() ? train_vocab(splits.train, cfg, run_dir) : fs::path(cfg.vocab);
  auto tokenizer = with_context("data.vocab", [&] {
    return text::Tokenizer::from_file(vocab_path, text::TokenizerOptions{cfg.lowercase, {}});
  });
  PreparedData p{vocab_path, std::move(tokenizer), std::move(splits), {}, {}};
  p.train = data::tokenize_split(p.splits.train, p.tokenizer, cfg.max_length);
  if (p.splits.valid) p.valid = data::tokenize_split(*p.splits.valid, p.tokenizer, cfg.max_length);
  log::info("data: {} training and {} validation sentences ({})", p.train.labels.size(),
            p.valid.labels.size(), cfg.name);
  return p;
}

}  // namespace cola::train

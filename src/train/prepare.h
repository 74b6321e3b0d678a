#pragma once
// Everything the loop needs before the first step: the splits read, a vocabulary (given, or trained
// on the training sentences as `cola vocab build` would), and every sentence tokenized once.
#include <filesystem>

#include "config/schema.h"
#include "data/batcher.h"
#include "data/reader.h"
#include "text/tokenizer.h"

namespace cola::train {

struct PreparedData {
  std::filesystem::path vocab_path;  // the vocabulary used (copied into every checkpoint)
  text::Tokenizer tokenizer;
  data::Splits splits;  // the sentences, for the misclassified-examples table
  data::TokenizedSplit train;
  data::TokenizedSplit valid;  // empty when there is no validation file
};

/// Reads and tokenizes cfg's splits. With cfg.vocab empty, trains a WordPiece vocabulary of
/// cfg.vocab_size on the training sentences and writes it to `run_dir`/vocab.txt.
PreparedData prepare_data(const config::DataConfig& cfg, const std::filesystem::path& run_dir);

}  // namespace cola::train

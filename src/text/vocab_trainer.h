#pragma once
// Learns a WordPiece vocabulary the way Hugging Face tokenizers' WordPieceTrainer does: it is the
// BPE trainer with a "##" continuation prefix. Special tokens first, then the alphabet (characters,
// and the "##" forms of those seen inside words), then the merge results, most frequent pair first.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

namespace cola::text {

/// Defaults follow tokenizers' BertWordPieceTokenizer.train().
struct TrainerOptions {
  int64_t vocab_size = 30000;              // stop merging at this many tokens (specials included)
  uint64_t min_frequency = 2;              // merge a pair only if it occurs at least this often
  size_t limit_alphabet = 1000;            // keep the most frequent characters only; 0 = keep all
  bool lowercase = true;                   // normalize like the tokenizer that will use the vocab
  std::optional<bool> strip_accents = {};  // unset = same as `lowercase`
};

/// Word -> number of occurrences, words as the BERT normalizer and pre-tokenizer produce them.
using WordCounts = std::unordered_map<std::string, uint64_t>;

/// Counts the pre-tokenized words of sentences (valid UTF-8) into `counts`.
void count_words(std::span<const std::string> sentences, const TrainerOptions& options,
                 WordCounts& counts);

/// Learns the vocabulary from word counts; returns the tokens in id order.
std::vector<std::string> train_wordpiece(const WordCounts& counts, const TrainerOptions& options);

/// Writes tokens one per line (vocab.txt) atomically.
void write_vocab(const std::filesystem::path& path, std::span<const std::string> tokens);

}  // namespace cola::text

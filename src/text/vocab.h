#pragma once
// A WordPiece vocabulary: vocab.txt, one token per line, id = 0-based line number.
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "text/token_table.h"

namespace cola::text {

/// The ids of the special tokens every BERT vocabulary must have.
struct SpecialIds {
  int64_t pad = 0;
  int64_t unk = 0;
  int64_t cls = 0;
  int64_t sep = 0;
  int64_t mask = 0;
};

/// The special tokens in the order a trained vocabulary lists them.
inline constexpr std::string_view kSpecialTokens[] = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"};
/// The prefix of a word-internal piece.
inline constexpr std::string_view kContinuationPrefix = "##";

class Vocab {
 public:
  /// Reads vocab.txt; throws Error naming the file (and line) on a bad or incomplete vocabulary.
  static Vocab load(const std::filesystem::path& path);
  /// Parses vocab.txt contents; `name` stands for the file in error messages.
  static Vocab parse(std::string_view content, const std::string& name);
  /// Builds a vocabulary from tokens in id order (same checks as parse).
  static Vocab from_tokens(const std::vector<std::string>& tokens, const std::string& name);

  /// The id of `token`, or -1.
  int32_t find(std::string_view token) const { return tokens_.find(arena_, token); }
  /// The id of "##" + `suffix`, or -1, without building the string.
  int32_t find_continuation(std::string_view suffix) const {
    return continuations_.find(arena_, suffix);
  }
  /// The longest token in bytes, and the longest "##" token without its prefix.
  uint32_t max_token_bytes() const { return tokens_.max_key_length(); }
  uint32_t max_continuation_bytes() const { return continuations_.max_key_length(); }

  /// The token with id `id` (0 <= id < size()).
  std::string_view token(int64_t id) const;
  /// Number of tokens.
  int64_t size() const { return static_cast<int64_t>(offsets_.size()); }
  /// Ids of [PAD], [UNK], [CLS], [SEP], [MASK].
  const SpecialIds& special() const { return special_; }

 private:
  void add(std::string_view token, const std::string& name, size_t line);
  void find_specials(const std::string& name);

  std::string arena_;              // all tokens back to back
  std::vector<uint32_t> offsets_;  // token id -> start in arena_ (end = next start)
  TokenTable tokens_;
  TokenTable continuations_;  // "##x" tokens keyed by "x"
  SpecialIds special_;
};

}  // namespace cola::text

#pragma once
// The BERT tokenizer: normalizer + pre-tokenizer + WordPiece + [CLS]/[SEP] + truncation, giving the
// same ids as Hugging Face's BertTokenizerFast. Thread-safe: encode() is const and keeps its
// scratch buffers per thread.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "text/batch.h"
#include "text/normalizer.h"
#include "text/vocab.h"

namespace cola::text {

/// BERT's position limit, the default truncation length.
inline constexpr int64_t kDefaultMaxLength = 512;

struct TokenizerOptions {
  bool lowercase = true;  // false for cased vocabularies (keeps case and accents)
  std::optional<bool> strip_accents =
      {};  // NFD then drop Mn; unset = same as `lowercase` (as in HF)
};

struct EncodeOptions {
  int64_t max_length = kDefaultMaxLength;  // ids kept, [CLS] and [SEP] included; 0 = no limit
  bool with_tokens = false;                // also fill Encoding::tokens
};

/// One encoded text.
struct Encoding {
  std::vector<int64_t> ids;         // [CLS] pieces... [SEP]
  std::vector<std::string> tokens;  // the same as vocabulary strings, if with_tokens
  bool truncated = false;           // pieces were dropped to fit max_length
};

class Tokenizer {
 public:
  explicit Tokenizer(Vocab vocab, TokenizerOptions options = {});
  /// Loads vocab.txt (see Vocab::load) and builds a tokenizer over it.
  static Tokenizer from_file(const std::filesystem::path& vocab_path,
                             TokenizerOptions options = {});

  /// Encodes one text into `out`, reusing its buffers. Throws Error on invalid UTF-8.
  void encode(std::string_view text, const EncodeOptions& options, Encoding& out) const;
  /// Encodes one text.
  Encoding encode(std::string_view text, const EncodeOptions& options = {}) const;
  /// Encodes texts truncated to max_length and pads them into one batch.
  PaddedBatch encode_batch(std::span<const std::string> texts, Padding padding,
                           int64_t max_length) const;
  /// Appends the WordPiece ids of `text` without [CLS]/[SEP] and without truncation.
  void encode_pieces(std::string_view text, std::vector<int64_t>& ids) const;

  /// The vocabulary.
  const Vocab& vocab() const { return vocab_; }

 private:
  void encode_segment(std::string_view segment, std::vector<int64_t>& ids) const;

  Vocab vocab_;
  Normalizer normalizer_;
};

}  // namespace cola::text

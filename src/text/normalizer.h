#pragma once
// BERT text normalization (tokenizers' BertNormalizer): clean text, put spaces around CJK
// ideographs, lowercase, strip accents. ASCII text never needs utf8proc: the per-byte table below
// does all of it, and the pre-tokenizer applies that table while it splits.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cola::text {

struct NormalizerOptions {
  bool lowercase = true;  // lowercase everything (uncased vocabularies)
  std::optional<bool> strip_accents =
      {};  // NFD then drop Mn; unset = same as `lowercase` (as in HF)
};

/// What an ASCII byte becomes after normalization, for the pre-tokenizer.
enum class ByteClass : uint8_t { drop, space, punctuation, word };
struct AsciiRule {
  char byte;       // the normalized byte (lowercased when lowercasing)
  ByteClass kind;  // how the pre-tokenizer treats it
};
using AsciiTable = std::array<AsciiRule, 128>;

class Normalizer {
 public:
  explicit Normalizer(NormalizerOptions options = {});

  /// True when every byte is ASCII, so ascii_table() alone normalizes the text.
  static bool is_ascii(std::string_view text);
  /// Writes the normalized text to `out`; throws Error if `text` is not valid UTF-8.
  void normalize(std::string_view text, std::string& out) const;
  /// The normalization and class of each ASCII byte; idempotent on normalized text.
  const AsciiTable& ascii_table() const { return ascii_; }
  /// Whether accents are stripped (strip_accents, defaulting to lowercase).
  bool strips_accents() const { return strip_accents_; }
  /// Whether text is lowercased.
  bool lowercases() const { return lowercase_; }

 private:
  void clean_and_case(std::string_view text, std::string& out) const;

  bool lowercase_;
  bool strip_accents_;
  AsciiTable ascii_;
};

}  // namespace cola::text

#pragma once
// BERT pre-tokenization (tokenizers' BertPreTokenizer): split on whitespace, then make every
// punctuation character a word of its own. Runs over raw ASCII text or normalized text: the ASCII
// table applies the byte-level normalization on the fly, and is a no-op on normalized bytes.
#include <cstddef>
#include <string>
#include <string_view>

#include "text/normalizer.h"

namespace cola::text {

/// Length in bytes of the code point at text[pos] (>= 0x80) if it is punctuation, else 0.
size_t punctuation_length(std::string_view text, size_t pos);

/// Calls on_word(word, n_code_points) for each word of `text` in order. `word` points into
/// `scratch` or `text` and is valid only during the call. `text` must be valid UTF-8.
template <class OnWord>
void split_words(std::string_view text, const AsciiTable& ascii, std::string& scratch,
                 OnWord&& on_word) {
  scratch.clear();
  size_t chars = 0;
  const auto flush = [&] {
    if (chars == 0) return;
    on_word(std::string_view(scratch), chars);
    scratch.clear();
    chars = 0;
  };
  size_t pos = 0;
  while (pos < text.size()) {
    const auto byte = static_cast<unsigned char>(text[pos]);
    if (byte < 0x80) {
      const AsciiRule rule = ascii[byte];
      if (rule.kind == ByteClass::word) {
        scratch.push_back(rule.byte);
        ++chars;
      } else if (rule.kind == ByteClass::space) {
        flush();
      } else if (rule.kind == ByteClass::punctuation) {
        flush();
        on_word(text.substr(pos, 1), 1);
      }
      ++pos;
      continue;
    }
    // Non-ASCII: normalized text holds no whitespace other than ' ', so only punctuation splits.
    size_t len = punctuation_length(text, pos);
    if (len != 0) {
      flush();
      on_word(text.substr(pos, len), 1);
    } else {
      len = 1;
      while (pos + len < text.size() &&
             (static_cast<unsigned char>(text[pos + len]) & 0xC0) == 0x80) {
        ++len;
      }
      scratch.append(text.data() + pos, len);
      ++chars;
    }
    pos += len;
  }
  flush();
}

}  // namespace cola::text

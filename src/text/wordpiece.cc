#include "text/wordpiece.h"

#include <algorithm>

namespace cola::text {
namespace {

// Moves `end` back to the start of a UTF-8 code point, so candidates never split a character.
size_t to_char_boundary(std::string_view word, size_t end) {
  while (end > 0 && end < word.size() && (static_cast<unsigned char>(word[end]) & 0xC0) == 0x80) {
    --end;
  }
  return end;
}

// Longest vocabulary piece of word[start..]; returns its end (0 if none) and its id in `id`.
size_t longest_piece(const Vocab& vocab, std::string_view word, size_t start, int32_t& id) {
  const bool first = start == 0;
  // No piece is longer than the longest token, so skip candidates that cannot match.
  const size_t max_bytes = first ? vocab.max_token_bytes() : vocab.max_continuation_bytes();
  size_t end = to_char_boundary(word, std::min(word.size(), start + max_bytes));
  while (end > start) {
    const std::string_view piece = word.substr(start, end - start);
    id = first ? vocab.find(piece) : vocab.find_continuation(piece);
    if (id >= 0) return end;
    end = to_char_boundary(word, end - 1);
  }
  return 0;
}

}  // namespace

void wordpiece_encode(const Vocab& vocab, std::string_view word, size_t n_chars,
                      std::vector<int64_t>& ids, size_t max_chars) {
  if (n_chars > max_chars) {
    ids.push_back(vocab.special().unk);
    return;
  }
  const size_t mark = ids.size();
  size_t start = 0;
  while (start < word.size()) {
    int32_t id = -1;
    const size_t end = longest_piece(vocab, word, start, id);
    if (end == 0) {
      // One unmatched piece makes the whole word [UNK], not just the piece (as in BERT).
      ids.resize(mark);
      ids.push_back(vocab.special().unk);
      return;
    }
    ids.push_back(id);
    start = end;
  }
}

}  // namespace cola::text

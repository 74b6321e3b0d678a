#pragma once
// WordPiece: greedy longest-match-first segmentation of one word into vocabulary pieces, with "##"
// marking word-internal pieces (Schuster & Nakajima 2012; BERT's `WordpieceTokenizer`).
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "text/vocab.h"

namespace cola::text {

/// BERT's `max_input_chars_per_word`: longer words become a single [UNK].
inline constexpr size_t kMaxCharsPerWord = 100;

/// Appends the piece ids of `word` (n_chars code points) to `ids`, or a single [UNK] id when the
/// word is longer than max_chars or cannot be covered by vocabulary pieces.
void wordpiece_encode(const Vocab& vocab, std::string_view word, size_t n_chars,
                      std::vector<int64_t>& ids, size_t max_chars = kMaxCharsPerWord);

}  // namespace cola::text

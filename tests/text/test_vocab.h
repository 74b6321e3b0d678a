#pragma once
// A small hand-made vocabulary for unit tests that must not depend on ../shared.
#include <string>
#include <vector>

#include "text/vocab.h"

namespace cola::text::test {

/// Ids: [PAD]=0 [UNK]=1 [CLS]=2 [SEP]=3 [MASK]=4, then the tokens listed here in order (5, 6, ...).
inline Vocab small_vocab() {
  static const std::vector<std::string> tokens = {
      "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "un",  "##aff", "##able", "want",
      "##ed",  "wa",    "##nt",  ",",     ".",      "!",   "hello", "world",  "Hello",
      "World", "cafe",  "Café",  "中",    "文",     "a",   "##a",   "b",      "'",
      "t",     "don",   "naive", "ß",     "i",      "##i", "x",     "##x",    "-"};
  return Vocab::from_tokens(tokens, "small");
}

}  // namespace cola::text::test

// tokenize_split: sentences to ids with [CLS]/[SEP] and truncation, labels kept row for row.
#include "data/tokenize.h"

#include <gtest/gtest.h>

namespace cola::data {
namespace {

TEST(TokenizeSplit, EncodesTruncatesAndKeepsLabels) {
  const auto vocab = text::Vocab::from_tokens(
      {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "dog", "barked", "."}, "test vocab");
  const text::Tokenizer tokenizer(vocab);
  Split split;
  split.examples = {{"The dog barked.", 1, 1}, {"Barked.", 0, 2}};
  const TokenizedSplit full = tokenize_split(split, tokenizer, 0);
  EXPECT_EQ(full.ids, (std::vector<std::vector<int64_t>>{{2, 5, 6, 7, 8, 3}, {2, 7, 8, 3}}));
  EXPECT_EQ(full.labels, (std::vector<int64_t>{1, 0}));
  const TokenizedSplit cut = tokenize_split(split, tokenizer, 4);
  EXPECT_EQ(cut.ids, (std::vector<std::vector<int64_t>>{{2, 5, 6, 3}, {2, 7, 8, 3}}));
}

}  // namespace
}  // namespace cola::data

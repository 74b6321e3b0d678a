#include "text/tokenizer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "core/error.h"
#include "support/shared_data.h"
#include "test_vocab.h"

namespace cola::text {
namespace {

using ::testing::ElementsAre;

std::vector<std::string> tokens(const Tokenizer& t, std::string_view text,
                                int64_t max_length = 512) {
  return t.encode(text, EncodeOptions{.max_length = max_length, .with_tokens = true}).tokens;
}

TEST(TokenizerTest, WordPieceGreedyLongestMatch) {
  const Tokenizer t(test::small_vocab());
  EXPECT_THAT(tokens(t, "unaffable wanted"),
              ElementsAre("[CLS]", "un", "##aff", "##able", "want", "##ed", "[SEP]"));
  const Encoding enc = t.encode("unaffable");
  EXPECT_THAT(enc.ids, ElementsAre(2, 5, 6, 7, 3));
  EXPECT_TRUE(enc.tokens.empty()) << "tokens are filled only on request";
  EXPECT_FALSE(enc.truncated);
}

TEST(TokenizerTest, UnmatchableWordIsOneUnk) {
  const Tokenizer t(test::small_vocab());
  // "unaffz": "un" "##aff" match, "z" does not: the whole word becomes one [UNK], not three pieces.
  EXPECT_THAT(tokens(t, "unaffz hello"), ElementsAre("[CLS]", "[UNK]", "hello", "[SEP]"));
}

TEST(TokenizerTest, WordOverHundredCharsIsUnk) {
  const Tokenizer t(test::small_vocab());
  EXPECT_THAT(tokens(t, std::string(100, 'x')).size(), 102u);  // x + 99 * ##x, plus specials
  EXPECT_THAT(tokens(t, std::string(101, 'x')), ElementsAre("[CLS]", "[UNK]", "[SEP]"));
  // The limit counts code points, not bytes: 60 two-byte "ß" is 120 bytes but only 60 chars.
  std::string eszett;
  for (int i = 0; i < 60; ++i) eszett += "\xC3\x9F";
  EXPECT_THAT(tokens(t, eszett), ElementsAre("[CLS]", "[UNK]", "[SEP]"));  // no "##ß" in vocab
}

TEST(TokenizerTest, EmptyAndBlankTextsGiveOnlySpecials) {
  const Tokenizer t(test::small_vocab());
  EXPECT_THAT(t.encode("").ids, ElementsAre(2, 3));
  EXPECT_THAT(t.encode(" \t\r\n ").ids, ElementsAre(2, 3));
}

TEST(TokenizerTest, PunctuationSplitsAndLowercases) {
  const Tokenizer t(test::small_vocab());
  EXPECT_THAT(tokens(t, "HELLO,World!  Don't"),
              ElementsAre("[CLS]", "hello", ",", "world", "!", "don", "'", "t", "[SEP]"));
}

TEST(TokenizerTest, CasedModeKeepsCaseAndAccents) {
  const Tokenizer t(test::small_vocab(), TokenizerOptions{.lowercase = false});
  EXPECT_THAT(tokens(t, "Hello World Café"),
              ElementsAre("[CLS]", "Hello", "World", "Café", "[SEP]"));
  EXPECT_THAT(tokens(t, "hello HELLO"), ElementsAre("[CLS]", "hello", "[UNK]", "[SEP]"));
  // strip_accents can be turned on without lowercasing (HF's strip_accents=True, lowercase=False).
  const Tokenizer stripped(test::small_vocab(),
                           TokenizerOptions{.lowercase = false, .strip_accents = true});
  EXPECT_THAT(tokens(stripped, "Café"), ElementsAre("[CLS]", "[UNK]", "[SEP]"));  // "Cafe"
  EXPECT_THAT(tokens(stripped, "cafe\xCC\x81"), ElementsAre("[CLS]", "cafe", "[SEP]"));
}

TEST(TokenizerTest, AccentsAreStrippedWhenLowercasing) {
  const Tokenizer t(test::small_vocab());
  // Precomposed é, decomposed e + U+0301, and uppercase É all become "cafe"; ß has no NFD form.
  EXPECT_THAT(tokens(t, "café cafe\xCC\x81 CAFÉ ß naïve"),
              ElementsAre("[CLS]", "cafe", "cafe", "cafe", "ß", "naive", "[SEP]"));
  // İ lowercases to i + U+0307 (a mark) in HF; stripping leaves "i".
  EXPECT_THAT(tokens(t, "\xC4\xB0"), ElementsAre("[CLS]", "i", "[SEP]"));
  // Without stripping the mark stays, so the word no longer matches "i".
  const Tokenizer keep(test::small_vocab(), TokenizerOptions{.strip_accents = false});
  EXPECT_THAT(tokens(keep, "\xC4\xB0"), ElementsAre("[CLS]", "[UNK]", "[SEP]"));
}

TEST(TokenizerTest, CjkIdeographsAreSeparateWords) {
  const Tokenizer t(test::small_vocab());
  // Without spacing, "a中文b" would be one word and one [UNK].
  EXPECT_THAT(tokens(t, "a中文b"), ElementsAre("[CLS]", "a", "中", "文", "b", "[SEP]"));
}

TEST(TokenizerTest, ControlAndFormatCharactersAreDropped) {
  const Tokenizer t(test::small_vocab());
  // BEL (Cc), zero-width space (Cf), soft hyphen (Cf), U+FFFD, NUL and a private-use char vanish
  // and join their neighbours; tab, newline and no-break space (Zs) separate words.
  const std::string text = std::string("wa\anted wa\u200Bnted wa\u00ADnted wa\uFFFDnted wa") +
                           '\0' + "nted wa\uE000nted a\tb\na\u00A0b";
  EXPECT_THAT(tokens(t, text),
              ElementsAre("[CLS]", "want", "##ed", "want", "##ed", "want", "##ed", "want", "##ed",
                          "want", "##ed", "want", "##ed", "a", "b", "a", "b", "[SEP]"));
}

TEST(TokenizerTest, TruncationKeepsSep) {
  const Tokenizer t(test::small_vocab());
  const Encoding enc = t.encode("hello world hello world", EncodeOptions{.max_length = 4});
  EXPECT_THAT(enc.ids, ElementsAre(2, 15, 16, 3));
  EXPECT_TRUE(enc.truncated);
  // Exactly fitting is not truncation; pieces of one word can be cut apart.
  EXPECT_FALSE(t.encode("hello world", EncodeOptions{.max_length = 4}).truncated);
  EXPECT_THAT(tokens(t, "unaffable", 4), ElementsAre("[CLS]", "un", "##aff", "[SEP]"));
  EXPECT_THAT(t.encode("hello world", EncodeOptions{.max_length = 2}).ids, ElementsAre(2, 3));
  std::string many;
  for (int i = 0; i < 600; ++i) many += "a ";
  EXPECT_EQ(t.encode(many).ids.size(), 512u);  // the default is BERT's 512
  EXPECT_EQ(t.encode(many, EncodeOptions{.max_length = 0}).ids.size(), 602u);
}

TEST(TokenizerTest, BadMaxLengthIsUsageError) {
  const Tokenizer t(test::small_vocab());
  EXPECT_THROW(t.encode("a", EncodeOptions{.max_length = 1}), UsageError);
  EXPECT_THROW(t.encode("a", EncodeOptions{.max_length = -3}), UsageError);
}

TEST(TokenizerTest, InvalidUtf8IsAnErrorNamingTheByte) {
  const Tokenizer t(test::small_vocab());
  try {
    t.encode("ab\xC3(");
    FAIL() << "expected cola::Error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "text is not valid UTF-8 (byte 2)");
  }
}

TEST(TokenizerTest, SpecialTokensInTextKeepTheirIds) {
  const Tokenizer t(test::small_vocab());
  // As in Hugging Face: matched in the raw text, case-sensitive, and not lowercased.
  EXPECT_THAT(tokens(t, "a[MASK]b [SEP]"),
              ElementsAre("[CLS]", "a", "[MASK]", "b", "[SEP]", "[SEP]"));
  EXPECT_THAT(tokens(t, "[mask]"), ElementsAre("[CLS]", "[UNK]", "[UNK]", "[UNK]", "[SEP]"));
}

TEST(TokenizerTest, EncodeBatchTruncatesAndPads) {
  const Tokenizer t(test::small_vocab());
  const std::vector<std::string> texts = {"hello", "hello world hello world"};
  const PaddedBatch b = t.encode_batch(texts, Padding::longest, 5);
  EXPECT_EQ(b.batch, 2);
  EXPECT_EQ(b.seq_len, 5);
  EXPECT_THAT(b.input_ids, ElementsAre(2, 15, 3, 0, 0, 2, 15, 16, 15, 3));
  EXPECT_THAT(b.attention_mask, ElementsAre(1, 1, 1, 0, 0, 1, 1, 1, 1, 1));
}

TEST(TokenizerTest, BertBaseUncasedSample) {
  COLA_SHARED_PATH_OR_SKIP(vocab, "data/vocab/bert-base-uncased-vocab.txt");
  const Tokenizer t = Tokenizer::from_file(vocab);
  EXPECT_THAT(t.encode("The more we study verbs, the crazier they get.").ids,
              ElementsAre(101, 1996, 2062, 2057, 2817, 16025, 1010, 1996, 13675, 16103, 2121, 2027,
                          2131, 1012, 102));
}

}  // namespace
}  // namespace cola::text

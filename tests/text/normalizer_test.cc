#include "text/normalizer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "text/pre_tokenizer.h"
#include "text/unicode.h"

namespace cola::text {
namespace {

using ::testing::ElementsAre;

std::string normalize(std::string_view text, NormalizerOptions options = {}) {
  std::string out;
  Normalizer(options).normalize(text, out);
  return out;
}

std::vector<std::string> words(std::string_view text, NormalizerOptions options = {}) {
  const Normalizer n(options);
  std::string normalized;
  std::string scratch;
  n.normalize(text, normalized);
  std::vector<std::string> out;
  split_words(normalized, n.ascii_table(), scratch,
              [&](std::string_view w, size_t) { out.emplace_back(w); });
  return out;
}

TEST(NormalizerTest, CleansLowercasesAndStripsAccents) {
  EXPECT_EQ(normalize("A\tB\r\nC\x01"
                      "D\x7F"),
            "a b  cd");
  EXPECT_EQ(normalize("ÀÉÎÕÜ ñ"), "aeiou n");
  EXPECT_EQ(normalize("ÀÉ", {.lowercase = false}), "ÀÉ");
  EXPECT_EQ(normalize("ÀÉ", {.lowercase = false, .strip_accents = true}), "AE");
  EXPECT_EQ(normalize("ÀÉ", {.lowercase = true, .strip_accents = false}), "àé");
}

TEST(NormalizerTest, KeepsSpacingMarksThatBertKeeps) {
  // Devanagari: virama U+094D and vowel sign E U+0947 are Mn (dropped); vowel sign I U+093F is Mc
  // (kept). utf8proc's own STRIPMARK would drop both.
  EXPECT_EQ(normalize("नमस्ते दुनिया"), "नमसत दनिया");
}

TEST(NormalizerTest, SpacesAroundCjkIdeographsOnly) {
  EXPECT_EQ(normalize("ab中c"), "ab 中 c");
  EXPECT_EQ(normalize("\xF0\xA0\x80\x80"), " \xF0\xA0\x80\x80 ");  // U+20000, extension B
  EXPECT_EQ(normalize("カナ"), "カナ");                            // Katakana is not in the ranges
}

TEST(NormalizerTest, AsciiPathAgreesWithFullPath) {
  // Every ASCII byte normalized through the table and through normalize() gives the same text.
  const Normalizer n;
  std::string all;
  for (int c = 0; c < 128; ++c) all.push_back(static_cast<char>(c));
  std::string via_table;
  for (const char c : all) {
    const AsciiRule r = n.ascii_table()[static_cast<unsigned char>(c)];
    if (r.kind != ByteClass::drop) via_table.push_back(r.byte);
  }
  all += "\xC3\xA9";  // force the Unicode path
  std::string full;
  n.normalize(all, full);
  EXPECT_EQ(full, via_table + "e");
}

TEST(PreTokenizerTest, SplitsWhitespaceAndPunctuation) {
  EXPECT_THAT(
      words("Hello, world! (a-b) x...y"),
      ElementsAre("hello", ",", "world", "!", "(", "a", "-", "b", ")", "x", ".", ".", ".", "y"));
  // Unicode punctuation (P*) splits; symbols (S*) outside ASCII do not.
  EXPECT_THAT(words("a—b «c» d÷e $f"), ElementsAre("a", "—", "b", "«", "c", "»", "d÷e", "$", "f"));
}

TEST(PreTokenizerTest, CountsCodePoints) {
  const Normalizer n;
  std::string scratch;
  std::vector<size_t> counts;
  split_words("ßa中 b", n.ascii_table(), scratch,
              [&](std::string_view, size_t c) { counts.push_back(c); });
  EXPECT_THAT(counts, ElementsAre(3, 1));  // raw (unnormalized) text: no CJK spacing here
}

TEST(UnicodeTest, Classes) {
  EXPECT_TRUE(is_whitespace(U'\u3000'));
  EXPECT_TRUE(is_whitespace(U'\u2028'));
  EXPECT_FALSE(is_whitespace(U'\v'));  // Cc: dropped as control, as in HF
  EXPECT_TRUE(is_control(U'\v'));
  EXPECT_FALSE(is_control(U'\n'));
  EXPECT_TRUE(is_control(U'\u200D'));  // Cf
  EXPECT_TRUE(is_punctuation(U'`'));
  EXPECT_TRUE(is_punctuation(U'\u2026'));
  EXPECT_FALSE(is_punctuation(U'\u00F7'));
  EXPECT_TRUE(is_cjk_ideograph(U'\uF900'));
  EXPECT_FALSE(is_cjk_ideograph(U'\u3042'));
  EXPECT_EQ(find_invalid_utf8("ok\xED\xA0\x80"), 2u);  // an encoded surrogate
  EXPECT_EQ(find_invalid_utf8("caf\xC3\xA9"), std::string_view::npos);
}

}  // namespace
}  // namespace cola::text

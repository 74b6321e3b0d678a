// Bad rows: the exact "file:line: reason" of each kind, and on_bad_row=skip's accounting.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/error.h"
#include "data/reader.h"

namespace cola::data {
namespace {

// The message parse_split throws for `content`, read under the name `name`.
std::string error_for(std::string_view content, const std::string& name = "train.tsv") {
  try {
    parse_split(content, name, config::DataConfig{});
  } catch (const Error& e) {
    return e.what();
  }
  return "(no Error)";
}

constexpr char kGood[] = "s\t1\t\tA fine sentence.\n";

TEST(BadRow, ColaWrongColumnCount) {
  EXPECT_EQ(error_for(std::string(kGood) + "s\t1\tNo annotation column.\n"),
            "train.tsv:2: expected 4 tab-separated columns, got 3");
  EXPECT_EQ(error_for("s\t1\t\tOne\ttab too many.\n"),
            "train.tsv:1: expected 4 tab-separated columns, got 5");
}

TEST(BadRow, LabelOutsideTheSet) {
  EXPECT_EQ(error_for("s\t7\t\tSeven?\n"),
            "train.tsv:1: label '7' is not one of: 0 (unacceptable), 1 (acceptable)");
  EXPECT_EQ(error_for("s\t\t\tNo label.\n"),
            "train.tsv:1: label '' is not one of: 0 (unacceptable), 1 (acceptable)");
}

TEST(BadRow, InvalidUtf8) {
  EXPECT_EQ(error_for("s\t1\t\tBad \xC3( byte.\n"),
            "train.tsv:1: invalid UTF-8 at byte 10 of the line");
  // Overlong encoding of '/', a UTF-16 surrogate, and a sequence cut short by the line's end.
  EXPECT_EQ(error_for("s\t1\t\t\xC0\xAF\n"), "train.tsv:1: invalid UTF-8 at byte 6 of the line");
  EXPECT_EQ(error_for("s\t1\t\t\xED\xA0\x80\n"),
            "train.tsv:1: invalid UTF-8 at byte 6 of the line");
  EXPECT_EQ(error_for("s\t1\t\tx\xE2\x82\n"), "train.tsv:1: invalid UTF-8 at byte 7 of the line");
  // Valid multi-byte text passes: 2, 3 and 4 bytes.
  EXPECT_EQ(error_for("s\t1\t\tCaf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80.\n"), "(no Error)");
}

TEST(BadRow, EmptyOrWhitespaceSentence) {
  EXPECT_EQ(error_for("s\t1\t\t\n"), "train.tsv:1: empty sentence");
  EXPECT_EQ(error_for(std::string(kGood) + "s\t0\t*\t  \t\n"),
            "train.tsv:2: expected 4 tab-separated columns, got 5");
  EXPECT_EQ(error_for(std::string(kGood) + "s\t0\t*\t   \n"), "train.tsv:2: empty sentence");
}

TEST(BadRow, GlueHeaderAndColumns) {
  EXPECT_EQ(error_for("sentence\tgold\nA.\t1\n"),
            "train.tsv:1: header has no 'label' column (columns: sentence, gold)");
  EXPECT_EQ(error_for("idx\tsentence\tlabel\n1\tA.\t1\n2\tB.\n"),
            "train.tsv:3: expected 3 tab-separated columns (as in the header), got 2");
  EXPECT_EQ(error_for("sentence\tlabel\nA.\tmaybe\n"),
            "train.tsv:2: label 'maybe' is not one of: 0 (unacceptable), 1 (acceptable)");
}

TEST(BadRow, Jsonl) {
  EXPECT_EQ(
      error_for("{\"sentence\": \"A.\", \"label\": 1\n", "d.jsonl"),
      "d.jsonl:1: malformed JSON at column 30: syntax error while parsing object - unexpected "
      "end of input; expected '}'");
  EXPECT_EQ(error_for("[\"A.\", 1]\n", "d.jsonl"), "d.jsonl:1: expected a JSON object, got array");
  EXPECT_EQ(error_for("{\"label\": 1}\n", "d.jsonl"), "d.jsonl:1: missing \"sentence\"");
  EXPECT_EQ(error_for("{\"sentence\": 5, \"label\": 1}\n", "d.jsonl"),
            "d.jsonl:1: \"sentence\" must be a string, got number");
  EXPECT_EQ(error_for("{\"sentence\": \"A.\"}\n", "d.jsonl"), "d.jsonl:1: missing \"label\"");
  EXPECT_EQ(error_for("{\"sentence\": \"A.\", \"label\": true}\n", "d.jsonl"),
            "d.jsonl:1: \"label\" must be a string or an integer, got true");
  EXPECT_EQ(error_for("{\"sentence\": \"A.\", \"label\": 2}\n", "d.jsonl"),
            "d.jsonl:1: label '2' is not one of: 0 (unacceptable), 1 (acceptable)");
  EXPECT_EQ(error_for("{\"sentence\": \" \", \"label\": 0}\n", "d.jsonl"),
            "d.jsonl:1: empty sentence");
  // Found by fuzz/readers_fuzz: nlohmann throws out_of_range, not parse_error, for a number
  // beyond a double, and it escaped the reader.
  EXPECT_THAT(error_for("{\"sentence\": \"A.\", \"label\": 2041E1997}\n", "d.jsonl"),
              ::testing::AllOf(::testing::StartsWith("d.jsonl:1: malformed JSON: "),
                               ::testing::HasSubstr("number overflow parsing '2041E1997'")));
}

TEST(BadRow, SkipModeCountsAndKeepsTheFirstReasons) {
  config::DataConfig cfg;
  cfg.on_bad_row = "skip";
  std::string content = "s\t1\t\tKept.\n";
  for (int i = 0; i < 7; ++i) content += "s\t9\t\tBad label.\n";
  content += "s\t1\tshort\ns\t0\t*\tAlso kept.\n";
  const Split s = parse_split(content, "t.tsv", cfg);
  ASSERT_EQ(s.examples.size(), 2u);
  EXPECT_EQ(s.examples[1].sentence, "Also kept.");
  EXPECT_EQ(s.examples[1].line, 10);
  EXPECT_EQ(s.skipped, 8);
  ASSERT_EQ(s.skip_reasons.size(), 5u);  // only the first few are kept
  EXPECT_EQ(s.skip_reasons[0],
            "t.tsv:2: label '9' is not one of: 0 (unacceptable), 1 (acceptable)");
  EXPECT_EQ(s.skip_reasons[4],
            "t.tsv:6: label '9' is not one of: 0 (unacceptable), 1 (acceptable)");
}

TEST(BadRow, SkipModeStillFailsOnABadHeader) {
  config::DataConfig cfg;
  cfg.on_bad_row = "skip";
  cfg.format = "glue_tsv";
  try {
    parse_split("sentence\nA.\n", "g.tsv", cfg);
    FAIL() << "expected a throw";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "g.tsv:1: header has no 'label' column (columns: sentence)");
  }
}

}  // namespace
}  // namespace cola::data

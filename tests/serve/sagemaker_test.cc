// SageMaker's POST /invocations bodies: JSON as /predict, and text/csv one sentence a record.
#include "serve/sagemaker.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace cola::serve {
namespace {

using ::testing::HasSubstr;
using Strings = std::vector<std::string>;

ApiError invocation_error(std::string_view type, std::string_view body, int64_t max_inputs = 32) {
  try {
    parse_invocation(type, body, max_inputs);
  } catch (const ApiError& e) {
    return e;
  }
  return {0, "", "no error"};
}

TEST(SageMaker, CsvIsOneSentenceARecordQuotedOrNot) {
  // Unquoted: the whole line, commas and inner quotes included; CRLF and LF; blank lines skipped;
  // no record after the last newline.
  EXPECT_EQ(csv_records("The boy sat.\r\nHe said, \"hi\".\n\nLast"),
            (Strings{"The boy sat.", "He said, \"hi\".", "Last"}));
  // RFC 4180 quoted fields: "" is a quote, and a field may span lines.
  EXPECT_EQ(csv_records("\"a, \"\"b\"\"\"\n\"two\nlines\"\r\n\"\"\nplain\n"),
            (Strings{"a, \"b\"", "two\nlines", "", "plain"}));
  EXPECT_EQ(csv_records("\xEF\xBB\xBFthe first\n"), (Strings{"the first"}))
      << "a spreadsheet's byte order mark is no part of the text";
  EXPECT_EQ(csv_records(""), Strings{});
}

TEST(SageMaker, ContentTypeChoosesTheParser) {
  const auto csv = parse_invocation("text/csv; charset=utf-8", "a b\nc d\n", 32);
  EXPECT_EQ(csv.inputs, (Strings{"a b", "c d"}));
  EXPECT_TRUE(csv.batched) << "a list per record";
  EXPECT_EQ(parse_invocation("Text/CSV", "a", 32).inputs, Strings{"a"});
  const auto json =
      parse_invocation("application/json", R"({"inputs": "a", "raw_scores": true})", 32);
  EXPECT_EQ(json.inputs, Strings{"a"});
  EXPECT_FALSE(json.batched) << "as /predict answers one string";
  EXPECT_EQ(json.function_to_apply, ClassificationFunction::kNone);
  EXPECT_EQ(parse_invocation("", R"({"inputs": ["a"]})", 32).inputs, Strings{"a"})
      << "no Content-Type: JSON";
}

TEST(SageMaker, BadBodiesAreNamed) {
  const struct {
    const char* type;
    const char* body;
    int status;
    const char* message;
  } cases[] = {
      {"text/plain", "a", 415,
       "Content-Type text/plain is not one /invocations takes (application/json, text/csv)"},
      {"text/csv", "ok\n\"never closed\n", 422,
       "text/csv line 2: the quoted field is never closed"},
      {"text/csv", "ok\n\n\"a\",\"b\"\n", 422,
       "text/csv line 3: text after the closing quote (a record is one column"},
      {"text/csv", "\n\r\n", 422, "the text/csv body has no sentences"},
      {"text/csv", "a\nb\nc\n", 413, "3 inputs in one request, more than max_client_batch_size 2"},
      {"application/json", R"({"text": "a"})", 422, "the body has no \"inputs\""},
  };
  for (const auto& c : cases) {
    const ApiError e = invocation_error(c.type, c.body, 2);
    EXPECT_EQ(e.status, c.status) << c.body;
    EXPECT_THAT(e.what(), HasSubstr(c.message)) << c.body;
  }
}

}  // namespace
}  // namespace cola::serve

// The API's JSON: what a request may say, and how answers and errors are written.
#include "serve/api.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <limits>
#include <nlohmann/json.hpp>

namespace cola::serve {
namespace {

using ::testing::HasSubstr;

ApiError parse_error(std::string_view body, int64_t max_inputs = 32) {
  try {
    parse_predict(body, max_inputs);
  } catch (const ApiError& e) {
    return e;
  }
  return {0, "", "no error"};
}

TEST(Api, OneSentenceAListAndTeisListOfLists) {
  auto r = parse_predict(R"({"inputs": "The boy sat."})", 32);
  EXPECT_EQ(r.inputs, (std::vector<std::string>{"The boy sat."}));
  EXPECT_FALSE(r.batched);
  EXPECT_FALSE(r.raw_scores);
  EXPECT_FALSE(r.truncate.has_value());
  r = parse_predict(R"({"inputs": ["a", "b"], "raw_scores": true, "truncate": false})", 32);
  EXPECT_EQ(r.inputs, (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(r.batched);
  EXPECT_TRUE(r.raw_scores);
  EXPECT_EQ(r.truncate, false);
  r = parse_predict(R"({"inputs": [["a"], ["b"]], "truncate": null})", 32);
  EXPECT_EQ(r.inputs, (std::vector<std::string>{"a", "b"}));
  EXPECT_FALSE(r.truncate.has_value());
}

TEST(Api, EveryMalformedRequestIsNamed) {
  const std::pair<const char*, const char*> cases[] = {
      {"{", "the body is not valid JSON"},
      {"[1]", "the body must be a JSON object, got array"},
      {R"({"text": "a"})", "the body has no \"inputs\""},
      {R"({"inputs": 3})", "\"inputs\" must be a string or a list of strings, got number"},
      {R"({"inputs": []})", "\"inputs\" is an empty list"},
      {R"({"inputs": ["a", 2]})", "inputs[1] must be a string (or [\"text\"]), got number"},
      {R"({"inputs": [["a", "b"]]})", "inputs[0] is a sentence pair"},
      {R"({"inputs": "a", "raw_scores": "yes"})", "\"raw_scores\" must be true or false"},
      {"{\"inputs\": \"\xff\xfe\"}", "not valid JSON"},  // invalid UTF-8
      // A number beyond a double: out_of_range, not parse_error (fuzz/readers_fuzz found it).
      {R"({"inputs": "a", "truncate": 1E999})", "number overflow parsing '1E999'"},
  };
  for (const auto& [body, message] : cases) {
    const ApiError e = parse_error(body);
    EXPECT_EQ(e.status, 422) << body;
    EXPECT_EQ(e.type, "Validation") << body;
    EXPECT_THAT(e.what(), HasSubstr(message)) << body;
  }
  const ApiError many = parse_error(R"({"inputs": ["a", "b", "c"]})", 2);
  EXPECT_EQ(many.status, 413);
  EXPECT_THAT(many.what(), HasSubstr("3 inputs in one request, more than max_client_batch_size 2"));
}

TEST(Api, AnswersAreSortedByScoreAndBatchesStayInInputOrder) {
  const std::vector<std::string> labels = {"unacceptable", "acceptable"};
  EXPECT_EQ(predictions_body({{0.25F, 0.75F}}, labels, false),
            R"([{"label":"acceptable","score":0.75},{"label":"unacceptable","score":0.25}])");
  const auto batch =
      nlohmann::json::parse(predictions_body({{0.9F, 0.1F}, {0.2F, 0.8F}}, labels, true));
  ASSERT_EQ(batch.size(), 2u);
  EXPECT_EQ(batch[0][0]["label"], "unacceptable");
  EXPECT_EQ(batch[1][0]["label"], "acceptable");
  // Labels are JSON-escaped; error messages too, whatever bytes they quote.
  EXPECT_EQ(nlohmann::json::parse(predictions_body({{1.0F}}, {"a \"b\""}, false))[0]["label"],
            "a \"b\"");
  EXPECT_EQ(nlohmann::json::parse(error_body("bad \xff byte", "Validation"))["error_type"],
            "Validation");
}

TEST(Api, ANonFiniteScoreIsNullWithAnErrorNeverInvalidJson) {
  const std::vector<std::string> labels = {"unacceptable", "acceptable"};
  const auto body =
      predictions_body({{std::numeric_limits<float>::quiet_NaN(), 0.5F}}, labels, false);
  const auto parsed = nlohmann::json::parse(body);  // throws on "nan"
  ASSERT_EQ(parsed.size(), 2u);
  EXPECT_EQ(parsed[0]["label"], "acceptable") << "the finite score first";
  EXPECT_TRUE(parsed[1]["score"].is_null()) << body;
  EXPECT_THAT(parsed[1]["error"].get<std::string>(), HasSubstr("non-finite"));
}

}  // namespace
}  // namespace cola::serve

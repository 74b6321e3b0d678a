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

ApiError classification_error(std::string_view body, int64_t max_inputs = 32) {
  try {
    parse_classification(body, max_inputs, 2);
  } catch (const ApiError& e) {
    return e;
  }
  return {0, "", "no error"};
}

TEST(Api, OneSentenceAListAndTeisListOfLists) {
  auto r = parse_predict(R"({"inputs": "The boy sat."})", 32);
  EXPECT_EQ(r.inputs, (std::vector<std::string>{"The boy sat."}));
  EXPECT_FALSE(r.batched);
  EXPECT_EQ(r.function_to_apply, ClassificationFunction::kSoftmax);
  EXPECT_EQ(r.top_k, 0u);
  EXPECT_FALSE(r.truncate.has_value());
  r = parse_predict(R"({"inputs": ["a", "b"], "raw_scores": true, "truncate": false})", 32);
  EXPECT_EQ(r.inputs, (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(r.batched);
  EXPECT_EQ(r.function_to_apply, ClassificationFunction::kNone) << "raw_scores: the logits";
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

// What the official clients post to an endpoint's root (huggingface_hub
// InferenceClient.text_classification: "parameters" always, null values dropped; huggingface.js
// textClassification: the caller's args, "parameters" only when given).
TEST(Api, TheInferenceApisTaskAlwaysAnswersAListPerInput) {
  for (const char* body :
       {R"({"inputs": "The boy sat."})", R"({"inputs": "The boy sat.", "parameters": {}})",
        R"({"inputs": "The boy sat.", "parameters": null})",
        R"({"inputs": "The boy sat.", "parameters": {"top_k": null}})"}) {
    const auto r = parse_classification(body, 32, 2);
    EXPECT_EQ(r.inputs, (std::vector<std::string>{"The boy sat."})) << body;
    EXPECT_TRUE(r.batched) << body << ": the clients take the answer's first element";
    EXPECT_EQ(r.top_k, 0u) << body << ": every label, as the Inference API answers";
    EXPECT_EQ(r.function_to_apply, ClassificationFunction::kSoftmax) << body;
    EXPECT_FALSE(r.truncate.has_value()) << body;
  }
  const auto r = parse_classification(
      R"({"inputs": ["a", "b"], "parameters": {"top_k": 1, "function_to_apply": "none",
          "truncation": false}})",
      32, 2);
  EXPECT_EQ(r.inputs, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(r.top_k, 1u);
  EXPECT_EQ(r.function_to_apply, ClassificationFunction::kNone);
  EXPECT_EQ(r.truncate, false);
  EXPECT_EQ(parse_classification(R"({"inputs": "a", "parameters": {"function_to_apply":
            "sigmoid"}})",
                                 32, 2)
                .function_to_apply,
            ClassificationFunction::kSigmoid);
  // transformers' default: sigmoid for a single label, softmax for more.
  EXPECT_EQ(parse_classification(R"({"inputs": "a"})", 32, 1).function_to_apply,
            ClassificationFunction::kSigmoid);
  EXPECT_EQ(default_function(1), ClassificationFunction::kSigmoid);
  EXPECT_EQ(default_function(3), ClassificationFunction::kSoftmax);
}

TEST(Api, EveryBadParameterIsNamedWithWhatCameInstead) {
  const std::pair<const char*, const char*> cases[] = {
      {R"({"parameters": {}})", "the body has no \"inputs\""},
      {R"({"inputs": []})", "\"inputs\" is an empty list"},
      {R"({"inputs": "a", "parameters": [1]})", "parameters must be an object, got array"},
      {R"({"inputs": "a", "parameters": {"top_k": 0}})",
       "parameters.top_k must be a positive integer, got 0"},
      {R"({"inputs": "a", "parameters": {"top_k": -2}})",
       "parameters.top_k must be a positive integer, got -2"},
      {R"({"inputs": "a", "parameters": {"top_k": 1.5}})",
       "parameters.top_k must be a positive integer, got 1.5"},
      {R"({"inputs": "a", "parameters": {"top_k": "2"}})",
       "parameters.top_k must be a positive integer, got \"2\""},
      {R"({"inputs": "a", "parameters": {"function_to_apply": "relu"}})",
       R"(parameters.function_to_apply must be "softmax", "sigmoid" or "none", got "relu")"},
      {R"({"inputs": "a", "parameters": {"function_to_apply": true}})",
       "parameters.function_to_apply must be \"softmax\", \"sigmoid\" or \"none\", got true"},
      {R"({"inputs": "a", "parameters": {"truncation": "yes"}})",
       "parameters.truncation must be true or false, got string"},
      {R"({"inputs": "a", "parameters": {"topk": 2}})",
       "parameters.topk is not a text-classification parameter (top_k, function_to_apply, "
       "truncation)"},
      // A long value is quoted in part.
      {R"({"inputs": "a", "parameters": {"top_k": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}})",
       "got \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa..."},
  };
  for (const auto& [body, message] : cases) {
    const ApiError e = classification_error(body);
    EXPECT_EQ(e.status, 422) << body;
    EXPECT_EQ(e.type, "Validation") << body;
    EXPECT_THAT(e.what(), HasSubstr(message)) << body;
  }
  const ApiError many = classification_error(R"({"inputs": ["a", "b", "c"]})", 2);
  EXPECT_EQ(many.status, 413);
  EXPECT_THAT(many.what(), HasSubstr("3 inputs in one request, more than max_client_batch_size 2"));
}

TEST(Api, FunctionToApplyIsTransformersOnTheSameLogits) {
  const std::vector<float> softmax = {0.25F, 0.75F};
  const std::vector<float> logits = {0.0F, 2.0F};
  EXPECT_EQ(apply_function(ClassificationFunction::kSoftmax, softmax, logits), softmax)
      << "the predictor's own, as /predict answers";
  EXPECT_EQ(apply_function(ClassificationFunction::kNone, softmax, logits), logits);
  const auto sigmoid = apply_function(ClassificationFunction::kSigmoid, softmax, logits);
  ASSERT_EQ(sigmoid.size(), 2u);
  EXPECT_FLOAT_EQ(sigmoid[0], 0.5F);
  EXPECT_FLOAT_EQ(sigmoid[1], 0.88079708F);  // numpy: 1 / (1 + np.exp(-np.float32(2)))
  // exp(-x) overflows to inf for a very negative logit: 0, not NaN.
  EXPECT_EQ(apply_function(ClassificationFunction::kSigmoid, {1.0F, 0.0F}, {-200.0F, 200.0F}),
            (std::vector<float>{0.0F, 1.0F}));
}

TEST(Api, TopKKeepsTheHighestScores) {
  const std::vector<std::string> labels = {"a", "b", "c"};
  EXPECT_EQ(predictions_body({{0.2F, 0.5F, 0.3F}}, labels, true, 1),
            R"([[{"label":"b","score":0.5}]])");
  EXPECT_EQ(predictions_body({{0.2F, 0.5F, 0.3F}}, labels, true, 2),
            R"([[{"label":"b","score":0.5},{"label":"c","score":0.3}]])");
  EXPECT_EQ(predictions_body({{0.2F, 0.5F, 0.3F}}, labels, true, 9),
            predictions_body({{0.2F, 0.5F, 0.3F}}, labels, true))
      << "more than the labels: all of them, as transformers' dict_scores[:top_k]";
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

// The Open Inference Protocol's JSON (kserve/open-inference-protocol specification/protocol/
// inference_rest.md): the spec's own example, adapted to this model's tensors, and every
// malformed request named.
#include "serve/oip.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <limits>
#include <nlohmann/json.hpp>

namespace cola::serve {
namespace {

using ::testing::HasSubstr;
using Json = nlohmann::json;

const OipModel kModel{"cola", "0123456789ab", {"unacceptable", "acceptable"}};

ApiError infer_error(std::string_view body, int64_t max_inputs = 32) {
  try {
    parse_oip_infer(body, max_inputs);
  } catch (const ApiError& e) {
    return e;
  }
  return {0, "", "no error"};
}

// inference_rest.md's "Inference Request Examples": a request with an "id", its inputs and the
// one output it wants, answered with that output alone and the id; here with the "text" input
// (shape [2], BYTES) in place of the example's UINT32 and BOOL tensors, and "label" for "output0".
TEST(Oip, TheSpecsExampleRequestAndResponse) {
  const auto request = parse_oip_infer(R"({
      "id" : "42",
      "inputs" : [
        {
          "name" : "text",
          "shape" : [ 2 ],
          "datatype" : "BYTES",
          "data" : [ "The boy sat.", "Sat boy the." ]
        }
      ],
      "outputs" : [
        {
          "name" : "label"
        }
      ]
    })",
                                       32);
  EXPECT_EQ(request.id, "42");
  EXPECT_EQ(request.predict.inputs, (std::vector<std::string>{"The boy sat.", "Sat boy the."}));
  EXPECT_EQ(request.predict.function_to_apply, ClassificationFunction::kSoftmax);
  EXPECT_FALSE(request.want_scores);
  EXPECT_TRUE(request.want_label);
  const Json response =
      Json::parse(oip_infer_body(request, kModel, {{0.25F, 0.75F}, {0.875F, 0.125F}}));
  EXPECT_EQ(response, Json::parse(R"({
      "model_name" : "cola",
      "model_version" : "0123456789ab",
      "id" : "42",
      "outputs" : [
        {
          "name" : "label",
          "shape" : [ 2 ],
          "datatype" : "BYTES",
          "data" : [ "acceptable", "unacceptable" ]
        }
      ]
    })"));
}

TEST(Oip, WithoutOutputsBothAnswerAndScoresAreRowMajor) {
  // The spec's "natural multi-dimensional representation" of [2, 1] strings, and no "id".
  const auto request = parse_oip_infer(
      R"({"inputs": [{"name": "text", "shape": [2, 1], "datatype": "BYTES",
          "data": [["a"], ["b"]], "parameters": {"content_type": "str"}}],
          "parameters": {"raw_scores": true, "truncate": false}, "outputs": []})",
      32);
  EXPECT_EQ(request.predict.inputs, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(request.predict.function_to_apply, ClassificationFunction::kNone) << "the logits";
  EXPECT_EQ(request.predict.truncate, false);
  EXPECT_FALSE(request.id.has_value());
  // A logit of 2.5 and -1; a NaN, which JSON cannot carry, is null and ranks last.
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const std::string body = oip_infer_body(request, kModel, {{2.5F, -1.0F}, {nan, 0.1F}});
  EXPECT_EQ(
      body,
      R"({"model_name":"cola","model_version":"0123456789ab","outputs":[)"
      R"({"name":"scores","datatype":"FP32","shape":[2,2],"data":[2.5,-1,null,0.1]},)"
      R"({"name":"label","datatype":"BYTES","shape":[2],"data":["unacceptable","acceptable"]}]})");
}

TEST(Oip, EveryMalformedRequestIsA400NamingTheField) {
  const std::pair<const char*, const char*> cases[] = {
      {"{", "the body is not valid JSON"},
      {"[]", "the body must be a JSON object, got array"},
      {R"({"id": 42, "inputs": []})", "id must be a string, got number"},
      {R"({})", "the body has no \"inputs\""},
      {R"({"inputs": []})", "inputs must be a list of one tensor, \"text\"; got 0 tensors"},
      {R"({"inputs": {}})", "inputs must be a list of one tensor, \"text\"; got object"},
      {R"({"inputs": [3]})", "inputs[0] must be an object, got number"},
      {R"({"inputs": [{"name": "input0", "shape": [1], "datatype": "BYTES", "data": ["a"]}]})",
       R"(inputs[0].name must be "text", got "input0")"},
      {R"({"inputs": [{"name": "text", "shape": [1], "datatype": "FP32", "data": [1.5]}]})",
       "inputs[0].datatype must be BYTES, got FP32"},
      {R"({"inputs": [{"name": "text", "shape": [1], "data": ["a"]}]})",
       "inputs[0] has no \"datatype\""},
      {R"({"inputs": [{"name": "text", "shape": [-1], "datatype": "BYTES", "data": ["a"]}]})",
       "inputs[0].shape must be a list of non-negative integers, got [-1]"},
      {R"({"inputs": [{"name": "text", "shape": [3], "datatype": "BYTES", "data": ["a", "b"]}]})",
       "inputs[0].shape [3] holds 3 elements, but inputs[0].data has 2"},
      {R"({"inputs": [{"name": "text", "shape": [4294967296, 4294967296, 4294967296],
           "datatype": "BYTES", "data": ["a"]}]})",
       "holds 4611686018427387904 elements, but inputs[0].data has 1"},
      {R"({"inputs": [{"name": "text", "shape": [2], "datatype": "BYTES", "data": ["a", 7]}]})",
       "inputs[0].data[1] must be a string (BYTES), got number"},
      {R"({"inputs": [{"name": "text", "shape": [1], "datatype": "BYTES", "data": "a"}]})",
       "inputs[0].data must be a list of strings, got string"},
      {R"({"inputs": [{"name": "text", "shape": [0], "datatype": "BYTES", "data": []}]})",
       "inputs[0].data has no sentences"},
      {R"({"inputs": [{"name": "text", "shape": [1], "datatype": "BYTES", "data": ["a"]}],
           "parameters": {"raw_score": true}})",
       "parameters.raw_score is not a parameter of this model (raw_scores, truncate)"},
      {R"({"inputs": [{"name": "text", "shape": [1], "datatype": "BYTES", "data": ["a"]}],
           "parameters": {"raw_scores": "yes"}})",
       "parameters.raw_scores must be true or false, got string"},
      {R"({"inputs": [{"name": "text", "shape": [1], "datatype": "BYTES", "data": ["a"]}],
           "outputs": [{"name": "output0"}]})",
       R"(outputs[0].name must be "scores" or "label", got "output0")"},
      {R"({"inputs": [{"name": "text", "shape": [1], "datatype": "BYTES", "data": ["a"]}],
           "outputs": ["label"]})",
       R"(outputs[0].name must be "scores" or "label", got "label")"},
  };
  for (const auto& [body, message] : cases) {
    const ApiError e = infer_error(body);
    EXPECT_EQ(e.status, 400) << body;
    EXPECT_THAT(e.what(), HasSubstr(message)) << body;
  }
  const ApiError many = infer_error(
      R"({"inputs": [{"name": "text", "shape": [3], "datatype": "BYTES", "data": ["a", "b", "c"]}]})",
      2);
  EXPECT_EQ(many.status, 413) << "max_client_batch_size, as /predict";
  EXPECT_THAT(many.what(), HasSubstr("3 inputs in one request, more than max_client_batch_size 2"));
}

TEST(Oip, ModelPathsWithAndWithoutAVersion) {
  const auto infer = parse_oip_model_path("/v2/models/cola/versions/0123456789ab/infer");
  ASSERT_TRUE(infer);
  EXPECT_EQ(infer->kind, OipModelPath::Kind::kInfer);
  EXPECT_EQ(infer->name, "cola");
  EXPECT_EQ(infer->version, "0123456789ab");
  EXPECT_EQ(infer->route, "/v2/models/{name}/infer") << "one metrics series for every name";
  const auto metadata = parse_oip_model_path("/v2/models/other");
  ASSERT_TRUE(metadata);
  EXPECT_EQ(metadata->kind, OipModelPath::Kind::kMetadata);
  EXPECT_FALSE(metadata->version.has_value());
  EXPECT_EQ(parse_oip_model_path("/v2/models/cola/ready")->kind, OipModelPath::Kind::kReady);
  for (const char* path : {"/v2/models/", "/v2/models//infer", "/v2/models/cola/explain",
                           "/v2/models/cola/versions/1/infer/x", "/v2/health/ready", "/predict"}) {
    EXPECT_FALSE(parse_oip_model_path(path)) << path;
  }
  check_oip_model(*parse_oip_model_path("/v2/models/cola/versions/0123456789ab"), kModel);
  check_oip_model(*parse_oip_model_path("/v2/models/cola/infer"), kModel);
  try {
    check_oip_model(*parse_oip_model_path("/v2/models/cola/versions/1/infer"), kModel);
    ADD_FAILURE() << "version 1 accepted";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.status, 404);
    EXPECT_STREQ(e.what(), R"(model "cola" has no version "1" (its version: "0123456789ab"))");
  }
  try {
    check_oip_model(*parse_oip_model_path("/v2/models/bert/infer"), kModel);
    ADD_FAILURE() << "model bert accepted";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.status, 404);
    EXPECT_STREQ(e.what(), R"(no model "bert" (this server serves "cola"))");
  }
}

// The metadata's tensors are what infer takes and answers; the labels are the columns of scores.
TEST(Oip, MetadataDescribesTheTensorsAndLabels) {
  EXPECT_EQ(Json::parse(oip_server_metadata("cola 0.1")),
            Json::parse(R"({"name": "cola", "version": "cola 0.1", "extensions": []})"));
  EXPECT_EQ(Json::parse(oip_model_metadata(kModel)), Json::parse(R"({
      "name": "cola", "versions": ["0123456789ab"], "platform": "onnxruntime_onnx",
      "inputs": [{"name": "text", "datatype": "BYTES", "shape": [-1]}],
      "outputs": [{"name": "scores", "datatype": "FP32", "shape": [-1, 2]},
                  {"name": "label", "datatype": "BYTES", "shape": [-1]}],
      "parameters": {"num_labels": 2, "id2label.0": "unacceptable", "id2label.1": "acceptable"}
    })"));
  EXPECT_EQ(oip_error_body("bad \xff"), R"({"error":"bad )"
                                        "\xEF\xBF\xBD"
                                        R"("})");
}

}  // namespace
}  // namespace cola::serve

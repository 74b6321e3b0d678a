// Every route, status and limit of the API, through Service::handle (no sockets): the transport
// only moves these requests and responses.
#include "serve/service.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <thread>

#include "fake_model.h"

namespace cola::serve {
namespace {

using ::testing::HasSubstr;
using Json = nlohmann::json;

Request get(std::string path) { return {"GET", std::move(path), {}, "", "", ""}; }
Request post(std::string path, std::string_view body, std::string content_type = "") {
  return {"POST", std::move(path), {}, "", std::move(content_type), body};
}

std::string header(const Response& r, std::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "";
}

class ServiceTest : public ::testing::Test {
 protected:
  Service& service(config::ServeConfig c = {}) {
    service_ = std::make_unique<Service>(model_, c,
                                         ModelInfo{.model_id = "m.onnx",
                                                   .model_name = "m",
                                                   .sha256 = "abc123",
                                                   .version = "cola 0.1",
                                                   .quantization = R"({"reduce_range":false})",
                                                   .cpu = "Test CPU",
                                                   .cpu_flags = "avx2",
                                                   .int8_kernel = "AVX2 VPMADDUBSW"});
    return *service_;
  }
  test::GatedModel model_;
  std::unique_ptr<Service> service_;
};

TEST_F(ServiceTest, ReadyOnlyAfterWarmUpAndNotWhileDraining) {
  auto& s = service();
  EXPECT_EQ(s.handle(get("/health/live")).status, 200);
  EXPECT_EQ(s.handle(get("/health/ready")).status, 503);
  EXPECT_EQ(s.handle(get("/health")).status, 503);
  const auto early = s.handle(post("/predict", R"({"inputs": "a"})"));
  EXPECT_EQ(early.status, 503);
  EXPECT_THAT(early.body, HasSubstr("warming up"));
  s.warm_up();
  EXPECT_EQ(s.handle(get("/health/ready")).status, 200);
  EXPECT_EQ(s.handle(get("/health")).status, 200);
  s.begin_drain();
  EXPECT_EQ(s.handle(get("/health/ready")).status, 503);
  EXPECT_EQ(s.handle(get("/health/live")).status, 200);
  // What still arrives while the listener closes is answered, not dropped.
  EXPECT_EQ(s.handle(post("/predict", R"({"inputs": "a"})")).status, 200);
}

TEST_F(ServiceTest, PredictAnswersWithScoresTimingsAndMetrics) {
  auto& s = service();
  s.warm_up();
  const auto r = s.handle(post("/predict", R"({"inputs": ["a b", "a b c d"]})"));
  ASSERT_EQ(r.status, 200) << r.body;
  const auto body = Json::parse(r.body);
  ASSERT_EQ(body.size(), 2u);
  ASSERT_EQ(body[0].size(), 2u);
  EXPECT_GE(body[0][0]["score"].get<double>(), body[0][1]["score"].get<double>());
  for (const char* h :
       {"x-total-time", "x-tokenization-time", "x-queue-time", "x-inference-time"}) {
    EXPECT_FALSE(header(r, h).empty()) << h;
  }
  // raw_scores: the logits (real tokens, padded width: 6 and 6 for "a b c d").
  const auto raw =
      Json::parse(s.handle(post("/predict", R"({"inputs": "a b c d", "raw_scores": true})")).body);
  EXPECT_EQ(raw[0]["label"], "len");
  EXPECT_EQ(raw[0]["score"], 6);
  const auto q = s.handle({"GET", "/predict", {{"text", "a"}}, "", "", ""});
  EXPECT_EQ(q.status, 200);
  EXPECT_EQ(Json::parse(q.body).size(), 2u);
  EXPECT_EQ(s.handle(get("/predict")).status, 422);
  EXPECT_EQ(s.metrics().requests("/predict", 200), 3u);
  EXPECT_THAT(s.metrics().render(), HasSubstr("cola_request_queue_duration_seconds_count 3"));
}

TEST_F(ServiceTest, RoutesMethodsAndTheirErrors) {
  auto& s = service();
  s.warm_up();
  const auto missing = s.handle(get("/nope"));
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(Json::parse(missing.body)["error_type"], "NotFound");
  const auto wrong = s.handle({"DELETE", "/predict", {}, "", "", ""});
  EXPECT_EQ(wrong.status, 405);
  EXPECT_EQ(header(wrong, "Allow"), "GET, POST");
  EXPECT_EQ(header(s.handle({"PUT", "/", {}, "", "", ""}), "Allow"), "GET, POST");
  EXPECT_EQ(s.handle(post("/info", "")).status, 405);
  EXPECT_EQ(s.handle(post("/predict", "{")).status, 422);
  EXPECT_EQ(s.handle(post("/predict", R"({"inputs": "\u00ff\u00fe"})")).status, 200);
  const auto info = Json::parse(s.handle(get("/info")).body);
  EXPECT_EQ(info["model_id"], "m.onnx");
  EXPECT_EQ(info["model_sha"], "abc123");
  EXPECT_EQ(info["max_input_length"], 16);
  EXPECT_EQ(info["model_type"]["classifier"]["id2label"]["1"], "width");
  EXPECT_EQ(info["max_client_batch_size"], 32);
  EXPECT_EQ(info["quantization"]["reduce_range"], false) << "the file's range, as JSON";
  EXPECT_EQ(info["cpu"]["model_name"], "Test CPU") << "where its figures come from";
  EXPECT_EQ(info["cpu"]["flags"], "avx2");
  EXPECT_EQ(info["cpu"]["int8_kernel"], "AVX2 VPMADDUBSW");
  const auto metrics = s.handle(get("/metrics"));
  EXPECT_EQ(metrics.content_type, "text/plain; version=0.0.4");
  const auto page = s.handle(get("/"));
  EXPECT_EQ(page.content_type, "text/html; charset=utf-8");
  EXPECT_THAT(page.body, HasSubstr("fetch('predict'"));
  EXPECT_THAT(page.body, ::testing::Not(HasSubstr("http")));  // no external assets
}

// POST / is the Hugging Face Inference API's text-classification task, over the same batcher:
// /predict's bytes, as a list per input. (tests/serve/server_test.cc parses it as the clients do.)
TEST_F(ServiceTest, RootAnswersTheInferenceApisTaskWithPredictsNumbers) {
  auto& s = service();
  s.warm_up();
  const std::string two = R"("inputs": ["a b", "a b c d"])";
  const auto root = s.handle(post("/", "{" + two + "}"));
  ASSERT_EQ(root.status, 200) << root.body;
  EXPECT_EQ(root.content_type, "application/json");
  EXPECT_EQ(root.body, s.handle(post("/predict", "{" + two + "}")).body);
  for (const char* h :
       {"x-total-time", "x-tokenization-time", "x-queue-time", "x-inference-time"}) {
    EXPECT_FALSE(header(root, h).empty()) << h;
  }
  // One string, as huggingface_hub posts it: still one list in a list.
  const auto one = s.handle(post("/", R"({"inputs": "a b", "parameters": {}})"));
  EXPECT_EQ(one.body, "[" + s.handle(post("/predict", R"({"inputs": "a b"})")).body + "]");
  // "none" is /predict's raw_scores (logits 4 and 6 for "a b" padded to 6), cut by top_k.
  const auto raw = Json::parse(
      s.handle(
           post("/", "{" + two + R"(, "parameters": {"function_to_apply": "none", "top_k": 1}})"))
          .body);
  ASSERT_EQ(raw.size(), 2u);
  ASSERT_EQ(raw[0].size(), 1u);
  EXPECT_EQ(raw[0][0]["label"], "width");
  EXPECT_EQ(raw[0][0]["score"], 6);
  EXPECT_EQ(raw[1].size(), 1u);
  const auto sigmoid = Json::parse(
      s.handle(post("/", "{" + two + R"(, "parameters": {"function_to_apply": "sigmoid"}})")).body);
  EXPECT_EQ(sigmoid[0][1]["label"], "len");
  EXPECT_NEAR(sigmoid[0][1]["score"].get<double>(), 1 / (1 + std::exp(-4.0)), 1e-6);
  // Errors: /predict's statuses and {"error": ...}, naming the parameter.
  const auto bad = s.handle(post("/", R"({"inputs": "a", "parameters": {"top_k": 0}})"));
  EXPECT_EQ(bad.status, 422);
  EXPECT_EQ(Json::parse(bad.body)["error"], "parameters.top_k must be a positive integer, got 0");
  const auto long_text = R"({"inputs": "a a a a a a a a a a a a a a a a a a a a", )";
  const auto refused =
      s.handle(post("/", long_text + std::string(R"("parameters": {"truncation": false}})")));
  EXPECT_EQ(refused.status, 422);
  EXPECT_THAT(refused.body, HasSubstr(R"(send \"parameters\": {\"truncation\": true} to cut it)"));
  EXPECT_EQ(
      s.handle(post("/", long_text + std::string(R"("parameters": {"truncation": true}})"))).status,
      200);
  // GET / is still the page; each route counts apart.
  EXPECT_EQ(s.handle(get("/")).content_type, "text/html; charset=utf-8");
  EXPECT_EQ(s.metrics().requests("/", 200), 6u);
  EXPECT_EQ(s.metrics().requests("/", 422), 2u);
  EXPECT_EQ(s.metrics().requests("/predict", 200), 2u);
  EXPECT_THAT(s.metrics().render(),
              HasSubstr("cola_requests_total{route=\"/\",status=\"422\"} 2\n"));
}

// KServe v2 (kserve/open-inference-protocol specification/protocol/inference_rest.md) over the
// same batcher: /predict's numbers, its errors as {"error"} with 400 for a bad input, one metrics
// series per route whatever the model's name.
TEST_F(ServiceTest, OpenInferenceProtocolRoutes) {
  auto& s = service();
  EXPECT_EQ(Json::parse(s.handle(get("/v2/health/live")).body), Json::parse(R"({"live": true})"));
  const auto warming = s.handle(get("/v2/health/ready"));
  EXPECT_EQ(warming.status, 503);
  EXPECT_EQ(Json::parse(warming.body), Json::parse(R"({"ready": false})"));
  const std::string two =
      R"({"id": "7", "inputs": [{"name": "text", "shape": [2], "datatype": "BYTES",
          "data": ["a b", "a b c d"]}]})";
  const auto early = s.handle(post("/v2/models/m/infer", two));
  EXPECT_EQ(early.status, 503);
  EXPECT_EQ(Json::parse(early.body), Json::parse(R"({"error": "warming up"})"));
  s.warm_up();
  EXPECT_EQ(s.handle(get("/v2/health/ready")).status, 200);
  EXPECT_EQ(Json::parse(s.handle(get("/v2/models/m/ready")).body),
            Json::parse(R"({"name": "m", "ready": true})"));
  EXPECT_EQ(Json::parse(s.handle(get("/v2/")).body)["version"], "cola 0.1");
  const auto metadata = Json::parse(s.handle(get("/v2/models/m")).body);
  EXPECT_EQ(metadata["versions"], Json::array({"abc123"})) << "the sha256's first 12 digits";
  EXPECT_EQ(metadata["parameters"]["id2label.1"], "width");

  // raw_scores: the logits (real tokens, padded width), as /predict gives them.
  const auto raw =
      s.handle(post("/v2/models/m/versions/abc123/infer",
                    two.substr(0, two.size() - 1) + R"(, "parameters": {"raw_scores": true}})"));
  ASSERT_EQ(raw.status, 200) << raw.body;
  EXPECT_FALSE(header(raw, "x-inference-time").empty());
  const auto answer = Json::parse(raw.body);
  EXPECT_EQ(answer["id"], "7");
  EXPECT_EQ(answer["model_name"], "m");
  EXPECT_EQ(answer["model_version"], "abc123");
  EXPECT_EQ(answer["outputs"][0]["data"], Json::parse("[4, 6, 6, 6]"));
  EXPECT_EQ(answer["outputs"][1]["data"], Json::parse(R"(["width", "len"])"));
  const auto probabilities = Json::parse(s.handle(post("/v2/models/m/infer", two)).body);
  const auto predicted =
      Json::parse(s.handle(post("/predict", R"({"inputs": ["a b", "a b c d"]})")).body);
  for (size_t i = 0; i < 2; ++i) {
    for (const auto& entry : predicted[i]) {
      const size_t k = entry["label"] == "len" ? 0 : 1;
      EXPECT_EQ(probabilities["outputs"][0]["data"][i * 2 + k], entry["score"]) << "the same bytes";
    }
  }

  const std::pair<Request, std::pair<int, const char*>> errors[] = {
      {post("/v2/models/m/infer", R"({"inputs": [{"name": "text", "shape": [1],
           "datatype": "FP32", "data": [1]}]})"),
       {400, "inputs[0].datatype must be BYTES, got FP32"}},
      {post("/v2/models/m/infer", "{"), {400, "the body is not valid JSON"}},
      {post("/v2/models/bert/infer", two), {404, R"(no model \"bert\")"}},
      {get("/v2/models/m/versions/2"), {404, R"(has no version \"2\")"}},
      {get("/v2/models/m/versions/2/ready"), {404, R"(has no version \"2\")"}},
      {get("/v2/models/m/explain"), {404, "no route /v2/models/m/explain"}},
      {get("/v2/models/m/infer"), {405, "GET /v2/models/m/infer: allowed: POST"}},
      // Too long with "truncate": false, which /predict answers 422.
      {post("/v2/models/m/infer", R"({"inputs": [{"name": "text", "shape": [1], "datatype":
           "BYTES", "data": ["a a a a a a a a a a a a a a a a a a a a"]}],
           "parameters": {"truncate": false}})"),
       {400, R"(send \"parameters\": {\"truncate\": true} to cut it)"}},
  };
  for (const auto& [request, want] : errors) {
    const auto r = s.handle(request);
    EXPECT_EQ(r.status, want.first) << request.path << " " << r.body;
    EXPECT_THAT(r.body, HasSubstr(want.second)) << request.path;
    const auto body = Json::parse(r.body);
    EXPECT_EQ(body.size(), 1u) << "only the protocol's error object: " << r.body;
  }
  EXPECT_EQ(s.metrics().requests("/v2/models/{name}/infer", 200), 2u);
  EXPECT_EQ(s.metrics().requests("/v2/models/{name}/infer", 404), 1u) << "any name, one series";
  EXPECT_EQ(s.metrics().requests("/v2/models/{name}/infer", 400), 3u);
  EXPECT_EQ(s.metrics().requests("/v2/models/{name}", 404), 1u);
  EXPECT_EQ(s.metrics().requests("/v2/models/{name}/ready", 404), 1u);
  EXPECT_EQ(s.metrics().requests("other", 404), 1u);
  const std::string metrics = s.metrics().render();
  EXPECT_THAT(
      metrics,
      HasSubstr("cola_requests_total{route=\"/v2/models/{name}/infer\",status=\"503\"} 1\n"));
  EXPECT_THAT(metrics, ::testing::Not(HasSubstr("bert")));
}

TEST_F(ServiceTest, OpenInferenceProtocolSharesTheLimitsAndTheKey) {
  config::ServeConfig c;
  c.max_concurrent_requests = 1;
  c.api_key = "s3cret";
  auto& s = service(c);
  s.warm_up();
  const std::string two = R"({"inputs": [{"name": "text", "shape": [2], "datatype": "BYTES",
                              "data": ["a", "b"]}]})";
  const auto busy = s.handle({"POST", "/v2/models/m/infer", {}, "Bearer s3cret", "", two});
  EXPECT_EQ(busy.status, 429);
  EXPECT_EQ(header(busy, "Retry-After"), "1");
  EXPECT_EQ(Json::parse(busy.body),
            Json::parse(R"({"error": "2 inputs in flight, more than max_concurrent_requests 1"})"));
  EXPECT_EQ(s.handle(post("/v2/models/m/infer", two)).status, 401);
  EXPECT_EQ(s.handle(get("/v2/models/m")).status, 401);
  // The probes answer without the key, as /health does.
  for (const char* probe : {"/v2/health/live", "/v2/health/ready", "/v2/models/m/ready", "/ping"}) {
    EXPECT_EQ(s.handle(get(probe)).status, 200) << probe;
  }
}

// SageMaker's container contract: GET /ping, POST /invocations with JSON or text/csv.
TEST_F(ServiceTest, SageMakerPingAndInvocations) {
  auto& s = service();
  EXPECT_EQ(s.handle(get("/ping")).status, 503) << "not before warm-up";
  s.warm_up();
  EXPECT_EQ(s.handle(get("/ping")).status, 200);
  const std::string json = R"({"inputs": ["a b", "a b c d"]})";
  const auto predicted = s.handle(post("/predict", json)).body;
  EXPECT_EQ(s.handle(post("/invocations", json, "application/json")).body, predicted);
  const auto csv = s.handle(post("/invocations", "a b\n\"a b c d\"\n", "text/csv"));
  ASSERT_EQ(csv.status, 200) << csv.body;
  EXPECT_EQ(csv.body, predicted);
  const auto wrong = s.handle(post("/invocations", "a", "text/plain"));
  EXPECT_EQ(wrong.status, 415);
  EXPECT_EQ(Json::parse(wrong.body)["error_type"], "Validation");
  EXPECT_EQ(s.handle(post("/invocations", "\"a", "text/csv")).status, 422);
  s.begin_drain();
  EXPECT_EQ(s.handle(get("/ping")).status, 503);
  EXPECT_EQ(s.metrics().requests("/invocations", 200), 2u);
  EXPECT_EQ(s.metrics().requests("/invocations", 415), 1u);
  EXPECT_EQ(s.metrics().requests("/ping", 503), 2u);
}

TEST_F(ServiceTest, TruncateFalseNamesTheLength) {
  auto& s = service();
  s.warm_up();
  const std::string long_text = R"({"inputs": "a a a a a a a a a a a a a a a a a a a a", )";
  const auto cut = s.handle(post("/predict", long_text + R"("truncate": true})"));
  EXPECT_EQ(cut.status, 200);
  const auto refused = s.handle(post("/predict", long_text + R"("truncate": false})"));
  EXPECT_EQ(refused.status, 422);
  EXPECT_THAT(refused.body, HasSubstr("inputs[0] is 22 tokens long, more than the model's 16"));
  config::ServeConfig strict;
  strict.auto_truncate = false;
  auto& t = service(strict);
  t.warm_up();
  EXPECT_EQ(t.handle(post("/predict", long_text + "\"raw_scores\": false}")).status, 422);
}

TEST_F(ServiceTest, ApiKeyGuardsAllButHealthAndCorsAnswersPreflights) {
  config::ServeConfig c;
  c.api_key = "s3cret";
  c.cors_allow_origin = "https://example.org";
  auto& s = service(c);
  s.warm_up();
  const auto denied = s.handle(post("/predict", R"({"inputs": "a"})"));
  EXPECT_EQ(denied.status, 401);
  EXPECT_EQ(header(denied, "Access-Control-Allow-Origin"), "https://example.org");
  EXPECT_EQ(s.handle(get("/health/ready")).status, 200);
  EXPECT_EQ(s.handle({"POST", "/predict", {}, "Bearer wrong", "", R"({"inputs": "a"})"}).status,
            401);
  EXPECT_EQ(s.handle({"POST", "/predict", {}, "Bearer s3cret", "", R"({"inputs": "a"})"}).status,
            200);
  const auto preflight = s.handle({"OPTIONS", "/predict", {}, "", "", ""});
  EXPECT_EQ(preflight.status, 204);
  EXPECT_EQ(header(preflight, "Access-Control-Allow-Methods"), "GET, POST");
  const auto root = s.handle({"OPTIONS", "/", {}, "", "", ""});
  EXPECT_EQ(header(root, "Access-Control-Allow-Methods"), "GET, POST");
  EXPECT_EQ(header(root, "Access-Control-Allow-Headers"), "Content-Type, Authorization, User-Agent")
      << "what huggingface.js sends from a page";
}

TEST_F(ServiceTest, TooManyInFlightIs429AndAWaitPastTheTimeoutIs503) {
  config::ServeConfig c;
  c.max_concurrent_requests = 2;
  c.request_timeout_s = 0.2;
  auto& s = service(c);
  s.warm_up();
  EXPECT_EQ(s.handle(post("/predict", R"({"inputs": ["a", "b", "c"]})")).status, 429);
  model_.close();  // hold the next batch inside the model
  const int warm_up_calls = model_.entered();
  std::thread first(
      [&] { EXPECT_EQ(s.handle(post("/predict", R"({"inputs": "a"})")).status, 200); });
  model_.wait_entered(warm_up_calls + 1);
  // One more input fits (2 in flight); it waits in the queue behind the held batch and times out.
  const auto timed_out = s.handle(post("/predict", R"({"inputs": "b"})"));
  EXPECT_EQ(timed_out.status, 503);
  EXPECT_THAT(timed_out.body, HasSubstr("waited 0.2 s in the queue"));
  // The first still holds its permit: two more inputs would be three in flight.
  const auto busy = s.handle(post("/predict", R"({"inputs": ["c", "d"]})"));
  EXPECT_EQ(busy.status, 429);
  EXPECT_EQ(header(busy, "Retry-After"), "1");
  model_.open();
  first.join();
  EXPECT_EQ(s.handle(post("/predict", R"({"inputs": ["c", "d"]})")).status, 200);
}

}  // namespace
}  // namespace cola::serve

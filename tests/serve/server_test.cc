// The server over HTTP on 127.0.0.1 (an ephemeral port), serving the seed workflow's own
// torch.onnx.export file with ONNX Runtime: answers equal cola predict's, batches really form
// under concurrent clients, and what cpp-httplib answers itself is JSON too.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>
#include <tuple>

#include "server_fixture.h"

namespace cola::serve {
namespace {

using ::testing::HasSubstr;
using Json = nlohmann::json;

// What the official Hugging Face clients make of an answer for one input, read from their sources;
// nullopt where they fail.
// - huggingface.js (packages/inference, 4.13): HFInferenceTextClassificationTask.getResponse in
//   src/providers/hf-inference.ts takes `response?.[0]` and accepts it only as an Array whose every
//   element has a string `label` and a number `score` ("Received malformed response ..." else).
// - huggingface_hub: InferenceClient.text_classification (src/huggingface_hub/inference/_client.py)
//   returns TextClassificationOutputElement.parse_obj_as_list(response)[0], declared a
//   list[TextClassificationOutputElement] {label: str, score: float}: parse_obj_as_list raises
//   unless the answer is a list, and a flat list's [0] would be one element, not a list.
std::optional<Json> clients_output(const Json& response) {
  if (!response.is_array() || response.empty() || !response[0].is_array()) return std::nullopt;
  for (const Json& x : response[0]) {
    if (!x.is_object() || !x.contains("label") || !x["label"].is_string() || !x.contains("score") ||
        !x["score"].is_number()) {
      return std::nullopt;
    }
  }
  return response[0];
}

TEST_F(ServerTest, AnswersEqualThePredictors) {
  start();
  const auto want = predictor_->predict(texts_);
  auto c = client();
  Json batch = {{"inputs", texts_.size() > 32
                               ? Json(std::vector<std::string>(texts_.begin(), texts_.begin() + 32))
                               : Json(texts_)}};
  const auto r = c.Post("/predict", batch.dump(), "application/json");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  const auto got = Json::parse(r->body);
  ASSERT_EQ(got.size(), 32u);
  const auto& labels = predictor_->labels();
  for (size_t i = 0; i < got.size(); ++i) {
    for (const auto& entry : got[i]) {
      const auto label = entry["label"].get<std::string>();
      const auto k =
          static_cast<size_t>(std::find(labels.begin(), labels.end(), label) - labels.begin());
      EXPECT_NEAR(entry["score"].get<double>(), want[i].scores[k], 1e-5) << texts_[i];
    }
  }
  // One sentence at a time, over one keep-alive connection, the same.
  for (size_t i = 0; i < 8; ++i) {
    const auto one = c.Post("/predict", Json{{"inputs", texts_[i]}}.dump(), "application/json");
    ASSERT_TRUE(one);
    const auto top = Json::parse(one->body)[0];
    EXPECT_NEAR(top["score"].get<double>(),
                *std::max_element(want[i].scores.begin(), want[i].scores.end()), 1e-5);
    EXPECT_TRUE(one->has_header("x-inference-time"));
  }
}

// What each client posts to the endpoint's URL (the server's root, with no path added:
// huggingface.js HFInferenceTask.makeUrl returns an http(s) model as is; huggingface_hub
// HFInferenceTask._prepare_url too), with --api-key as the clients' token ("Authorization: Bearer
// ...", both). huggingface.js: JSON.stringify of the caller's args but accessToken, endpointUrl,
// provider, model (src/lib/makeRequestOptions.ts), so {"inputs"} alone unless the caller gives
// "parameters". huggingface_hub: {"inputs", "parameters": {"function_to_apply", "top_k"}} with None
// dropped
// (_providers/hf_inference.py _prepare_payload_as_dict, _providers/_common.py filter_none), so
// "parameters": {} when neither is given.
TEST_F(ServerTest, TheOfficialHuggingFaceClientsParseTheRootsAnswers) {
  auto config = test_config();
  config.api_key = "s3cret";
  start(config);
  auto c = client();
  const httplib::Headers javascript = {{"Authorization", "Bearer s3cret"},
                                       {"User-Agent", "@huggingface/inference/4.13.28"}};
  const httplib::Headers python = {{"authorization", "Bearer s3cret"},
                                   {"user-agent", "unknown/None; hf_hub/1.29.0; python/3.12"}};
  const auto post = [&](const httplib::Headers& h, const Json& body) {
    const auto r = c.Post("/", h, body.dump(), "application/json");
    EXPECT_TRUE(r);
    EXPECT_EQ(r->status, 200) << body.dump() << ": " << r->body;
    EXPECT_EQ(r->get_header_value("Content-Type"), "application/json");
    return Json::parse(r->body);
  };
  const auto predict = [&](const Json& body) {
    const auto r = c.Post("/predict", httplib::Headers{{"Authorization", "Bearer s3cret"}},
                          body.dump(), "application/json");
    EXPECT_TRUE(r);
    return Json::parse(r->body);
  };
  const auto& labels = predictor_->labels();
  const auto want =
      predictor_->predict(std::vector<std::string>(texts_.begin(), texts_.begin() + 2));
  for (const auto& [client, headers, body] :
       {std::tuple{"huggingface.js", javascript, Json{{"inputs", texts_[0]}}},
        std::tuple{"huggingface_hub", python,
                   Json{{"inputs", texts_[0]}, {"parameters", Json::object()}}}}) {
    const Json answer = post(headers, body);
    const auto output = clients_output(answer);
    ASSERT_TRUE(output) << client << ": " << answer.dump();
    ASSERT_EQ(output->size(), labels.size()) << client << ": every label, as the Inference API";
    EXPECT_EQ(*output, predict({{"inputs", texts_[0]}})) << client << ": /predict's numbers";
    EXPECT_GE((*output)[0]["score"].get<double>(), (*output)[1]["score"].get<double>());
  }
  EXPECT_FALSE(clients_output(predict({{"inputs", texts_[0]}})))
      << "/predict keeps TEI's flat list for one input, which the clients refuse";
  // A list: one list per input, in order, as /predict answers it.
  const Json two = {{"inputs", {texts_[0], texts_[1]}}};
  const Json both = post(javascript, two);
  ASSERT_EQ(both.size(), 2u);
  EXPECT_EQ(both, predict(two));
  EXPECT_TRUE(clients_output(both));
  // The parameters huggingface_hub's text_classification(top_k=, function_to_apply=) sends.
  const Json top = post(python, {{"inputs", texts_[1]}, {"parameters", {{"top_k", 1}}}});
  ASSERT_EQ(top[0].size(), 1u);
  EXPECT_EQ(top[0][0], predict({{"inputs", texts_[1]}})[0]);
  const Json raw =
      post(python, {{"inputs", texts_[1]}, {"parameters", {{"function_to_apply", "none"}}}});
  EXPECT_EQ(raw[0], predict({{"inputs", texts_[1]}, {"raw_scores", true}}));
  const Json sigmoid =
      post(python, {{"inputs", texts_[1]}, {"parameters", {{"function_to_apply", "sigmoid"}}}});
  for (const auto& entry : sigmoid[0]) {
    const auto k = static_cast<size_t>(
        std::find(labels.begin(), labels.end(), entry["label"].get<std::string>()) -
        labels.begin());
    ASSERT_LT(k, labels.size());
    EXPECT_NEAR(entry["score"].get<double>(),
                1 / (1 + std::exp(-static_cast<double>(want[1].logits[k]))), 1e-6);
  }
  // An error is {"error": "..."}, which both clients show.
  const auto bad =
      c.Post("/", javascript, R"({"inputs": "a", "parameters": {"top_k": 0}})", "application/json");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 422);
  EXPECT_THAT(Json::parse(bad->body)["error"].get<std::string>(), HasSubstr("parameters.top_k"));
  EXPECT_THAT(service_->metrics().render(),
              HasSubstr("cola_requests_total{route=\"/\",status=\"200\"} 6\n"));
}

// The README's curl examples for KServe v2 and SageMaker, over HTTP on the real model: the same
// numbers as /predict, and the Content-Type through the transport.
TEST_F(ServerTest, OpenInferenceProtocolAndSageMakerGivePredictsNumbers) {
  start();
  auto c = client();
  const auto v2 = c.Post("/v2/models/seed/infer", R"({"id": "1", "inputs": [{"name": "text",
      "shape": [2], "datatype": "BYTES", "data": ["The boy sat.", "Sat boy the."]}]})",
                         "application/json");
  ASSERT_TRUE(v2);
  ASSERT_EQ(v2->status, 200) << v2->body;
  const auto answer = Json::parse(v2->body);
  EXPECT_EQ(answer["model_name"], "seed");
  EXPECT_EQ(answer["id"], "1");
  const auto& labels = predictor_->labels();
  const auto want = predictor_->predict(std::vector<std::string>{"The boy sat.", "Sat boy the."});
  const Json& scores = answer["outputs"][0];
  EXPECT_EQ(scores["shape"], Json::array({2, labels.size()}));
  for (size_t i = 0; i < 2; ++i) {
    for (size_t k = 0; k < labels.size(); ++k) {
      EXPECT_NEAR(scores["data"][i * labels.size() + k].get<double>(), want[i].scores[k], 1e-5);
    }
    const auto top = std::max_element(want[i].scores.begin(), want[i].scores.end());
    EXPECT_EQ(answer["outputs"][1]["data"][i],
              labels[static_cast<size_t>(top - want[i].scores.begin())]);
  }
  const auto metadata = c.Get("/v2/models/seed");
  ASSERT_TRUE(metadata);
  EXPECT_EQ(Json::parse(metadata->body)["outputs"][0]["shape"], Json::array({-1, labels.size()}));
  const auto unknown = c.Get("/v2/models/bert/ready");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);
  EXPECT_EQ(Json::parse(unknown->body),
            Json::parse(R"j({"error": "no model \"bert\" (this server serves \"seed\")"})j"));

  EXPECT_EQ(c.Get("/ping")->status, 200);
  const auto csv = c.Post("/invocations", "The boy sat.\n\"Sat boy, the.\"\n", "text/csv");
  ASSERT_TRUE(csv);
  ASSERT_EQ(csv->status, 200) << csv->body;
  const auto predicted =
      c.Post("/predict", R"({"inputs": ["The boy sat.", "Sat boy, the."]})", "application/json");
  EXPECT_EQ(csv->body, predicted->body);
  const auto json = c.Post("/invocations", R"({"inputs": "The boy sat."})", "application/json");
  EXPECT_EQ(Json::parse(json->body)[0]["label"], Json::parse(predicted->body)[0][0]["label"]);
  EXPECT_EQ(c.Post("/invocations", "The boy sat.", "text/plain")->status, 415);
}

TEST_F(ServerTest, ConcurrentClientsAreBatchedTogether) {
  start();
  std::atomic<int> ok{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < 32; ++t) {
    clients.emplace_back([&, t] {
      auto c = client();
      for (int i = 0; i < 10; ++i) {
        const auto& text = texts_[static_cast<size_t>((t * 10 + i)) % texts_.size()];
        const auto r = c.Post("/predict", Json{{"inputs", text}}.dump(), "application/json");
        if (r && r->status == 200) ++ok;
      }
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(ok.load(), 320);
  const auto& sizes = service_->metrics().batch_size();
  // Warm-up ran outside the batcher: every batch here was formed from requests.
  EXPECT_LT(sizes.bucket(0), sizes.count()) << "no batch had more than one input";
  EXPECT_THAT(service_->metrics().render(),
              HasSubstr("cola_requests_total{route=\"/predict\",status=\"200\"} 320"));
}

TEST_F(ServerTest, ReadinessBeforeWarmUpAndTransportErrorsAreJson) {
  auto c = test_config();
  c.payload_limit = 1000;
  start(c, /*warm=*/false);
  auto cl = client();
  EXPECT_EQ(cl.Get("/health/live")->status, 200);
  EXPECT_EQ(cl.Get("/health/ready")->status, 503);
  service_->warm_up();
  EXPECT_EQ(cl.Get("/health/ready")->status, 200);
  const auto big = cl.Post("/predict", std::string(5000, 'x'), "application/json");
  ASSERT_TRUE(big);
  EXPECT_EQ(big->status, 413);
  EXPECT_EQ(Json::parse(big->body)["error_type"], "PayloadTooLarge");
  auto again = client();
  EXPECT_EQ(again.Head("/health/live")->status, 200);
  EXPECT_EQ(again.Get("/predict?text=The%20boy%20sat.")->status, 200);
  EXPECT_EQ(again.Put("/predict", "", "text/plain")->status, 405);
}

}  // namespace
}  // namespace cola::serve

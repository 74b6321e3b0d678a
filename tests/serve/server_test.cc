// The server over HTTP on 127.0.0.1 (an ephemeral port), serving the seed workflow's own
// torch.onnx.export file with ONNX Runtime: answers equal cola predict's, batches really form
// under concurrent clients, and what cpp-httplib answers itself is JSON too.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "server_fixture.h"

namespace cola::serve {
namespace {

using ::testing::HasSubstr;
using Json = nlohmann::json;

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
  EXPECT_THAT(service_->metrics().render(), HasSubstr("cola_requests_total{status=\"200\"} 320"));
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

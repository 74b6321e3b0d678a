#pragma once
// A server over HTTP on 127.0.0.1 (an ephemeral port) serving the seed workflow's own
// torch.onnx.export file of the golden tiny-bert with ONNX Runtime, and texts from its cases.
#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "runtime/onnx_predictor.h"
#include "serve/http_server.h"
#include "serve/service.h"
#include "support/shared_data.h"

namespace cola::serve {

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto shared = test::shared_dir();
    if (!shared) {
      if (test::shared_required()) FAIL() << "COLA_REQUIRE_SHARED=1 but ../shared is missing";
      GTEST_SKIP() << "shared data not found (set COLA_SHARED_DIR)";
    }
    const std::filesystem::path golden = *shared / "golden/tiny-bert";
    runtime::OnnxPredictorOptions o;
    o.vocab = golden / "vocab.txt";
    o.labels = golden / "config.json";
    o.predict.batch_size = 1 << 20;
    o.predict.max_length = 1 << 20;
    o.predict.keep_logits = true;
    predictor_ = runtime::OnnxPredictor::open(*shared / "golden/pytorch/seed-onnx/model.onnx", o);
    std::ifstream in(golden / "cases.jsonl");
    std::string line;
    while (std::getline(in, line) && texts_.size() < 64) {
      texts_.push_back(nlohmann::json::parse(line)["text"].get<std::string>());
    }
  }

  /// The defaults, with 64 connection threads rather than 1024.
  static config::ServeConfig test_config() {
    config::ServeConfig c;
    c.http_threads = 64;
    return c;
  }

  void start(config::ServeConfig c = test_config(), bool warm = true) {
    c.port = 0;
    ModelInfo info;
    info.model_id = "seed";
    info.model_name = "seed";
    info.sha256 = "sha";
    info.version = "test";
    service_ = std::make_unique<Service>(*predictor_, c, std::move(info));
    http_ = std::make_unique<HttpServer>(*service_, c);
    port_ = http_->bind();
    http_->start();
    if (warm) service_->warm_up();
  }
  void TearDown() override {
    if (http_) http_->stop();
  }
  httplib::Client client() const { return httplib::Client("127.0.0.1", port_); }

  std::unique_ptr<runtime::OnnxPredictor> predictor_;
  std::vector<std::string> texts_;
  std::unique_ptr<Service> service_;
  std::unique_ptr<HttpServer> http_;
  int port_ = 0;
};

}  // namespace cola::serve

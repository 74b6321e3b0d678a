// `cola serve` as a process: it binds where it says, serves the seed's ONNX file, and on SIGTERM
// under load answers everything it accepted before it exits 0.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <csignal>
#include <nlohmann/json.hpp>
#include <thread>

#include "support/run_cli.h"
#include "support/shared_data.h"

namespace cola::test {
namespace {

using ::testing::HasSubstr;
using Json = nlohmann::json;

// "listening on http://HOST:PORT": PORT.
int wait_for_port(const BackgroundCli& cli) {
  return test::wait_for_port(cli, R"(listening on http://127\.0\.0\.1:(\d+))");
}

bool wait_ready(int port) {
  httplib::Client c("127.0.0.1", port);
  for (int i = 0; i < 600; ++i) {
    const auto r = c.Get("/health/ready");
    if (r && r->status == 200) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

int count(const std::string& text, const std::string& what) {
  int n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST(ServeCli, SigtermUnderLoadAnswersEverythingItAccepted) {
  COLA_SHARED_PATH_OR_SKIP(shared, "golden/pytorch/seed-onnx/model.onnx");
  const auto golden = shared.parent_path().parent_path().parent_path() / "tiny-bert";
  BackgroundCli cli({"serve", "--model", shared.string(), "--vocab",
                     (golden / "vocab.txt").string(), "--labels", (golden / "config.json").string(),
                     "--port", "0", "--http-threads", "64"});
  const int port = wait_for_port(cli);
  ASSERT_GT(port, 0) << "cola serve never said where it listens";
  ASSERT_TRUE(wait_ready(port));

  std::atomic<bool> stop{false};
  std::atomic<bool> signalled{false};
  std::atomic<int> answered{0}, not_ok{0}, failed_before_signal{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < 16; ++t) {
    clients.emplace_back([&] {
      while (!stop) {
        httplib::Client c("127.0.0.1", port);  // a connection per request: none idles in keep-alive
        const auto r = c.Post("/predict", R"({"inputs": ["The boy sat.", "Sat boy the."]})",
                              "application/json");
        if (r) {
          ++(r->status == 200 ? answered : not_ok);
        } else if (!signalled) {
          ++failed_before_signal;
        } else {
          std::this_thread::sleep_for(std::chrono::milliseconds(5));  // the server is gone
        }
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  signalled = true;
  cli.signal(SIGTERM);
  const auto result = cli.wait();
  stop = true;
  for (auto& t : clients) t.join();

  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.err, HasSubstr("SIGTERM: draining"));
  EXPECT_THAT(result.err, HasSubstr("stopped"));
  EXPECT_EQ(failed_before_signal.load(), 0);
  EXPECT_EQ(not_ok.load(), 0);
  EXPECT_GT(answered.load(), 16);
  // Every request the server answered (its access log) reached its client as a 200.
  EXPECT_EQ(count(result.err, "POST /predict 200 2 inputs"), answered.load());
}

TEST(ServeCli, BadFlagsAreUsageErrors) {
  const auto r = run_cli({"serve", "--model", "m.onnx", "--port", "70000"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("serve.port 70000 is not a port"));
  const auto missing = run_cli({"serve", "--model", "/nonexistent/m.onnx", "--port", "0"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.err, HasSubstr("/nonexistent/m.onnx: no such model file"));
}

}  // namespace
}  // namespace cola::test

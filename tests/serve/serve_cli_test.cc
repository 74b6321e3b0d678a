// `cola serve` as a process: it binds where it says, serves the seed's ONNX file, and on SIGTERM
// under load answers everything it accepted before it exits 0.
#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdlib>
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

// A port no one listens on now (bound, then released).
int free_port() {
  const int s = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof a;
  ::bind(s, reinterpret_cast<sockaddr*>(&a), size);
  ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &size);
  ::close(s);
  return ntohs(a.sin_port);
}

// SageMaker starts the container with SAGEMAKER_BIND_TO_PORT and probes GET /ping; the model's
// name in /v2/models/{name} is --model-name.
TEST(ServeCli, ListensOnSageMakersPortWithTheModelNameGiven) {
  COLA_SHARED_PATH_OR_SKIP(shared, "golden/pytorch/seed-onnx/model.onnx");
  const auto golden = shared.parent_path().parent_path().parent_path() / "tiny-bert";
  const int want = free_port();
  ASSERT_GT(want, 0);
  ::setenv("SAGEMAKER_BIND_TO_PORT", std::to_string(want).c_str(), 1);
  BackgroundCli cli({"serve", "--model", shared.string(), "--vocab",
                     (golden / "vocab.txt").string(), "--labels", (golden / "config.json").string(),
                     "--model-name", "tiny", "--http-threads", "4"});
  ::unsetenv("SAGEMAKER_BIND_TO_PORT");
  const int port = wait_for_port(cli);
  ASSERT_EQ(port, want);
  httplib::Client c("127.0.0.1", port);
  bool ready = false;
  for (int i = 0; i < 600 && !ready; ++i) {
    const auto r = c.Get("/ping");
    ready = r && r->status == 200;
    if (!ready) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(ready);
  const auto metadata = c.Get("/v2/models/tiny");
  ASSERT_TRUE(metadata);
  EXPECT_EQ(metadata->status, 200) << metadata->body;
  EXPECT_EQ(Json::parse(metadata->body)["versions"][0].get<std::string>().size(), 12u)
      << "the sha256's first 12 hex digits";
  const auto csv = c.Post("/invocations", "The boy sat.\n", "text/csv");
  ASSERT_TRUE(csv);
  EXPECT_EQ(csv->status, 200) << csv->body;
  cli.signal(SIGTERM);
  EXPECT_EQ(cli.wait().exit_code, 0);
}

TEST(ServeCli, BadFlagsAreUsageErrors) {
  const auto r = run_cli({"serve", "--model", "m.onnx", "--port", "70000"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("serve.port 70000 is not a port"));
  const auto env = run_cli({"serve", "--model", "m.onnx"}, {{"SAGEMAKER_BIND_TO_PORT", "http"}});
  EXPECT_EQ(env.exit_code, 2);
  EXPECT_THAT(env.err, HasSubstr("SAGEMAKER_BIND_TO_PORT=http is not a port (1-65535)"));
  // --port beats the variable: the flag's bad port is what is refused.
  const auto both = run_cli({"serve", "--model", "m.onnx", "--port", "70000"},
                            {{"SAGEMAKER_BIND_TO_PORT", "8081"}});
  EXPECT_THAT(both.err, HasSubstr("serve.port 70000 is not a port"));
  const auto name = run_cli({"serve", "--model", "m.onnx", "--model-name", "a/b"});
  EXPECT_EQ(name.exit_code, 2);
  EXPECT_THAT(name.err, HasSubstr("serve.model_name \"a/b\" must not contain '/'"));
  const auto missing = run_cli({"serve", "--model", "/nonexistent/m.onnx", "--port", "0"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.err, HasSubstr("/nonexistent/m.onnx: no such model file"));
}

}  // namespace
}  // namespace cola::test

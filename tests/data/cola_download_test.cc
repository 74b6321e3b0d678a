// `cola data download`'s fetch over the shared HTTP client (core/http_client.h), against a local
// server: redirects followed, a non-200 answer and a bad URL refused with the URL named.
#include "data/cola_download.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <string>
#include <thread>

#include "core/error.h"
#include "support/error_message.h"

namespace cola::data {
namespace {

using ::testing::HasSubstr;

class LocalServer : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.Get("/cola.zip", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(std::string("PK\x03\x04 archive", 12), "application/zip");
    });
    server_.Get("/moved", [](const httplib::Request&, httplib::Response& res) {
      res.set_redirect("/cola.zip");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  void TearDown() override {
    server_.stop();
    thread_.join();
  }
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

TEST_F(LocalServer, FollowsARedirectToTheArchive) {
  EXPECT_EQ(http_get(url("/moved")), std::string("PK\x03\x04 archive", 12));
}

TEST_F(LocalServer, ANon200AnswerNamesTheUrlAndStatus) {
  const std::string missing = url("/missing.zip");
  EXPECT_THROW_MSG(http_get(missing), Error,
                   HasSubstr("downloading " + missing + ": HTTP status 404"));
}

TEST(Download, BadUrlIsAUsageError) {
  EXPECT_THROW_MSG(http_get("nyu-mll.github.io"), UsageError,
                   HasSubstr("not an http(s) URL: 'nyu-mll.github.io'"));
}

}  // namespace
}  // namespace cola::data

// URLs and redirect rules of the HTTP client, and what it does with a hostile or silent server
// (the Hub's requests themselves: tests/hub).
#include "core/http_client.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>

#include "support/error_message.h"

namespace cola::http {
namespace {

TEST(Http, UrlsParse) {
  const Url url = Url::parse("https://huggingface.co/org/name/resolve/main/config.json");
  EXPECT_EQ(url.scheme, "https");
  EXPECT_EQ(url.host, "huggingface.co");
  EXPECT_EQ(url.port, 443);
  EXPECT_EQ(url.target, "/org/name/resolve/main/config.json");
  EXPECT_EQ(url.origin(), "https://huggingface.co");
  const Url local = Url::parse("http://127.0.0.1:8080?x=1#frag");
  EXPECT_EQ(local.port, 8080);
  EXPECT_EQ(local.target, "/?x=1");
  EXPECT_EQ(local.str(), "http://127.0.0.1:8080/?x=1");
  EXPECT_EQ(Url::parse("http://[::1]:9/a").host, "::1");
  EXPECT_EQ(Url::parse("http://[::1]:9/a").origin(), "http://[::1]:9");
  EXPECT_EQ(test::error_message<Error>([] { Url::parse("ftp://x/y"); }),
            "not an http(s) URL: 'ftp://x/y'");
  EXPECT_EQ(test::error_message<Error>([] { Url::parse("http://x:port/"); }),
            "bad port in URL 'http://x:port/'");
}

TEST(Http, RedirectTargets) {
  const Url base = Url::parse("http://127.0.0.1:5000/old/name/resolve/main/config.json");
  EXPECT_TRUE(is_relative("/new/name/resolve/main/config.json"));
  EXPECT_FALSE(is_relative("http://localhost:6000/repos/abc"));
  EXPECT_FALSE(is_relative("//cdn.example/x"));
  EXPECT_EQ(resolve(base, "/new/x"), "http://127.0.0.1:5000/new/x");
  EXPECT_EQ(resolve(base, "other.json"), "http://127.0.0.1:5000/old/name/resolve/main/other.json");
  EXPECT_EQ(resolve(base, "//cdn.example/x?sig=1"), "http://cdn.example/x?sig=1");
  EXPECT_EQ(resolve(base, "https://cdn-lfs.hf.co/x"), "https://cdn-lfs.hf.co/x");
}

TEST(Http, CredentialsStayWithTheirHost) {
  const auto share = [](const char* a, const char* b) {
    return may_share_credentials(Url::parse(a), Url::parse(b));
  };
  EXPECT_TRUE(share("https://huggingface.co/a", "https://huggingface.co/b"));
  EXPECT_TRUE(share("https://huggingface.co/a", "https://HuggingFace.co/b"));
  EXPECT_TRUE(share("http://huggingface.co/a", "https://huggingface.co/b"));   // upgrade
  EXPECT_FALSE(share("https://huggingface.co/a", "http://huggingface.co/b"));  // downgrade
  EXPECT_FALSE(share("https://huggingface.co/a", "https://cdn-lfs.huggingface.co/b"));
  EXPECT_FALSE(share("http://127.0.0.1:5000/a", "http://localhost:5000/b"));
  EXPECT_FALSE(share("http://127.0.0.1:5000/a", "http://127.0.0.1:5001/b"));
}

TEST(Http, QuoteIsUrllibQuote) {
  EXPECT_EQ(quote("onnx/model v1+x.onnx"), "onnx/model%20v1%2Bx.onnx");
  EXPECT_EQ(quote("refs/pr/1", ""), "refs%2Fpr%2F1");
  EXPECT_EQ(quote("a_b.c-d~e"), "a_b.c-d~e");
  EXPECT_EQ(quote("\xc3\xa9"), "%C3%A9");
}

TEST(Http, HeadersMatchWithoutCase) {
  const Headers headers{{"x-repo-commit", "abc"}, {"ETag", "\"e\""}};
  EXPECT_EQ(find_header(headers, "X-Repo-Commit"), "abc");
  EXPECT_EQ(find_header(headers, "etag"), "\"e\"");
  EXPECT_EQ(find_header(headers, "Location"), std::nullopt);
}

Request get(std::string url, int timeout_s = 10) {
  Request r;
  r.url = std::move(url);
  r.timeout_s = timeout_s;
  return r;
}

// A local server answering as a hostile one would.
class HostileServer : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.Get("/loop", [](const httplib::Request&, httplib::Response& res) {
      res.set_redirect("/loop");  // forever
    });
    server_.Get("/elsewhere", [](const httplib::Request&, httplib::Response& res) {
      res.set_redirect("ftp://files.example/model.bin");
    });
    server_.Get("/body", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(std::string(1 << 20, 'x'), "application/octet-stream");
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

TEST_F(HostileServer, ARedirectLoopStopsAfterTheLimit) {
  Client client;
  EXPECT_THAT(test::error_message<Error>([&] { client.send(get(url("/loop"))); }),
              ::testing::HasSubstr("more than 10 redirects"));
}

TEST_F(HostileServer, ARedirectToAnotherSchemeIsRefusedByName) {
  Client client;
  EXPECT_THAT(test::error_message<Error>([&] { client.send(get(url("/elsewhere"))); }),
              ::testing::HasSubstr("not an http(s) URL: 'ftp://files.example/model.bin'"));
}

TEST_F(HostileServer, ASinkThatThrowsStopsTheTransferAndItsErrorComesOut) {
  Client client;
  int64_t received = 0;
  const auto sink = [&](std::string_view chunk) {
    received += static_cast<int64_t>(chunk.size());
    throw std::runtime_error("disk full");
  };
  EXPECT_EQ(test::error_message<std::runtime_error>([&] { client.send(get(url("/body")), sink); }),
            "disk full");
  EXPECT_LT(received, 1 << 20) << "the transfer stopped at the first chunk";
}

// A server that accepts the connection and never answers: the request times out, says so, and is
// a TransportError (the Hub code then falls back to its cache).
TEST(Http, ASilentServerTimesOut) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(::listen(fd, 4), 0);  // the kernel completes the handshake; nobody ever reads
  socklen_t len = sizeof(addr);
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  const std::string url = "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/x";
  Client client;
  EXPECT_THAT(test::error_message<TransportError>([&] { client.send(get(url, 1)); }),
              ::testing::HasSubstr("no answer"));
  ::close(fd);
}

}  // namespace
}  // namespace cola::http

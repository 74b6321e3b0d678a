// URLs and redirect rules of the HTTP layer (the requests themselves: download_test.cc).
#include "core/http_client.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace cola::http

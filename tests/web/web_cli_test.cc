// `cola web` in a real headless Chromium, over `cola web --serve` on 127.0.0.1: the page's scores
// for golden sentences (Unicode ones among them) equal `cola predict`'s on the same export, and a
// broken model is reported on the page in words.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <thread>

#include "support/run_cli.h"
#include "support/shared_data.h"

namespace cola::test {
namespace {

using ::testing::HasSubstr;
using Json = nlohmann::json;
namespace fs = std::filesystem;

// Debian's chromium (scripts/install-deps.sh installs it), or $COLA_CHROMIUM.
std::string chromium() {
  if (const char* c = std::getenv("COLA_CHROMIUM")) return c;
  return fs::exists("/usr/bin/chromium") ? "/usr/bin/chromium" : "";
}

// The DOM after the page's scripts ran: --virtual-time-budget lets its fetches, WebAssembly and
// inference finish before the dump.
std::string dump_dom(const std::string& url) {
  const std::string command = chromium() +
                              " --headless --no-sandbox --disable-gpu --no-first-run "
                              "--virtual-time-budget=60000 --dump-dom '" +
                              url + "' 2>/dev/null";
  std::string out;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return out;
  char buffer[65536];
  for (size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) out.append(buffer, n);
  ::pclose(pipe);
  return out;
}

// The text of the element with this id, its HTML entities decoded.
std::string element_text(const std::string& dom, const std::string& id) {
  const std::regex element("<[a-z]+ id=\"" + id + "\"[^>]*>([\\s\\S]*?)</[a-z]+>");
  std::smatch m;
  if (!std::regex_search(dom, m, element)) return "";
  std::string text = m[1];
  for (const auto& [entity, ch] : std::vector<std::pair<std::string, std::string>>{
           {"&lt;", "<"}, {"&gt;", ">"}, {"&nbsp;", "\u00a0"}, {"&amp;", "&"}}) {
    for (size_t at = 0; (at = text.find(entity, at)) != std::string::npos; at += ch.size()) {
      text.replace(at, entity.size(), ch);
    }
  }
  return text;
}

// "serving DIR on http://127.0.0.1:PORT/": PORT.
int wait_for_port(const BackgroundCli& cli) {
  return test::wait_for_port(cli, R"(serving .* on http://127\.0\.0\.1:(\d+)/)");
}

class WebCli : public ::testing::Test {
 protected:
  void SetUp() override {
    if (chromium().empty()) {
      if (shared_required()) FAIL() << "no chromium (scripts/install-deps.sh installs it)";
      GTEST_SKIP() << "no chromium: set COLA_CHROMIUM or install Debian's chromium";
    }
  }
  TempDir tmp_;
};

TEST_F(WebCli, ThePagesScoresEqualColaPredicts) {
  COLA_SHARED_PATH_OR_SKIP(golden, "golden/tiny-bert");
  const auto model = tmp_ / "tiny.onnx";
  const auto exported = run_cli(
      {"export", "--checkpoint", golden.string(), "--output", model.string(), "--no-validate"});
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  // 40 sentences, then every non-ASCII one (accents, CJK, emoji...) up to 64 in all.
  std::vector<std::string> texts;
  std::ifstream cases(golden / "cases.jsonl");
  for (std::string line; std::getline(cases, line) && texts.size() < 64;) {
    auto text = Json::parse(line)["text"].get<std::string>();
    const bool ascii = std::all_of(text.begin(), text.end(),
                                   [](char c) { return static_cast<unsigned char>(c) < 0x80; });
    if (texts.size() < 40 || !ascii) texts.push_back(std::move(text));
  }
  const auto unicode = std::count_if(texts.begin(), texts.end(), [](const std::string& t) {
    return std::any_of(t.begin(), t.end(), [](char c) { return (c & 0x80) != 0; });
  });
  ASSERT_GE(texts.size(), 50U);
  ASSERT_GE(unicode, 5);

  BackgroundCli web({"web", "--model", model.string(), "--output", (tmp_ / "site").string(),
                     "--serve", "--port", "0"});
  const int port = wait_for_port(web);
  ASSERT_GT(port, 0) << "cola web --serve never said where it serves";
  std::string url = "http://127.0.0.1:" + std::to_string(port) + "/?";
  for (const auto& t : texts) url += "text=" + httplib::detail::encode_query_param(t) + "&";
  // Virtual time runs out before the real-time work it does not count (compiling the WebAssembly
  // on other threads) when a loaded 2-core machine is slow: a page that did not finish, and said
  // no error, is asked for again rather than failed. Wrong scores still fail below.
  std::string dom;
  for (int attempt = 0; attempt < 3; ++attempt) {
    dom = dump_dom(url);
    if (!element_text(dom, "predictions").empty() || !element_text(dom, "error").empty()) break;
  }
  web.signal(SIGTERM);
  EXPECT_EQ(web.wait().exit_code, 0);
  ASSERT_THAT(element_text(dom, "error"), ::testing::IsEmpty());
  const std::string page = element_text(dom, "predictions");
  ASSERT_FALSE(page.empty()) << "no predictions on the page:\n" << dom.substr(0, 3000);

  std::ofstream(tmp_ / "texts.txt") << fmt::format("{}\n", fmt::join(texts, "\n"));
  const auto predicted =
      run_cli({"predict", "--model", model.string(), "--input", (tmp_ / "texts.txt").string()});
  ASSERT_EQ(predicted.exit_code, 0) << predicted.err;
  std::istringstream want(predicted.out);
  std::istringstream got(page);
  size_t n = 0;
  for (std::string w, g; std::getline(want, w) && std::getline(got, g); ++n) {
    const auto a = Json::parse(w);
    const auto b = Json::parse(g);
    ASSERT_EQ(b["sentence"], a["sentence"]);
    ASSERT_EQ(b["predictions"].size(), a["predictions"].size());
    for (size_t i = 0; i < a["predictions"].size(); ++i) {
      EXPECT_EQ(b["predictions"][i]["label"], a["predictions"][i]["label"]);
      EXPECT_NEAR(b["predictions"][i]["score"].get<double>(),
                  a["predictions"][i]["score"].get<double>(), 1e-4)
          << a["sentence"];
    }
  }
  EXPECT_EQ(n, texts.size());
}

TEST_F(WebCli, ABrokenModelIsReportedOnThePage) {
  COLA_SHARED_PATH_OR_SKIP(golden, "golden/tiny-bert");
  const auto model = tmp_ / "tiny.onnx";
  ASSERT_EQ(run_cli({"export", "--checkpoint", golden.string(), "--output", model.string(),
                     "--no-validate"})
                .exit_code,
            0);
  const auto site = tmp_ / "site";
  ASSERT_EQ(run_cli({"web", "--model", model.string(), "--output", site.string()}).exit_code, 0);
  std::ofstream(site / "model.onnx", std::ios::trunc) << "not a model";
  BackgroundCli web(
      {"web", "--model", model.string(), "--output", site.string(), "--serve", "--port", "0"});
  // --serve writes the site again: break it once more after that, before the page loads.
  const int port = wait_for_port(web);
  ASSERT_GT(port, 0);
  std::ofstream(site / "model.onnx", std::ios::trunc) << "not a model";
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/?text=Hi.";
  const std::string broken = dump_dom(url);
  web.signal(SIGTERM);
  web.wait();
  EXPECT_THAT(element_text(broken, "error"), HasSubstr("model file"));
  EXPECT_THAT(element_text(broken, "predictions"), ::testing::IsEmpty());
}

TEST(WebCliErrors, AModelWithoutItsVocabularyIsRefusedByName) {
  COLA_SHARED_PATH_OR_SKIP(seed, "golden/pytorch/seed-onnx/model.onnx");
  TempDir tmp;
  const auto r = run_cli({"web", "--model", seed.string(), "--output", (tmp / "site").string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr(seed.string() + ": no vocabulary in the model's metadata"));
  EXPECT_FALSE(fs::exists(tmp / "site" / "index.html"));
}

}  // namespace
}  // namespace cola::test

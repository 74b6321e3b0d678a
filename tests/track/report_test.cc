// The HTML report: its content, and that a real browser renders it (headless Chromium).
#include "track/report.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <regex>

#include "core/error.h"
#include "core/file.h"
#include "support/error_message.h"
#include "support/run_dir_fixture.h"
#include "support/shared_data.h"
#include "track/event_writer.h"
#include "track/svg_chart.h"

namespace cola::track {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

class ReportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cola::test::write_run(run_, {"training.lr=1e-3"}, {{0.7, 0.6, 0.1}, {0.6, 0.7, 0.3}},
                          "finished");
    write_file_atomic(run_ / "checkpoints/best/model.safetensors", "weights");
  }
  cola::test::TempDir dir_;
  std::filesystem::path run_ = dir_ / "run";
};

TEST_F(ReportTest, SelfContainedWithChartsMatrixTableConfigAndHashes) {
  const std::string html = render_report(run_);
  EXPECT_EQ(count(html, "<svg class='chart'"), 5U);
  EXPECT_EQ(count(html, "<polyline class='series'"), 7U);                  // 1+1+2+2+1 series
  EXPECT_THAT(html, HasSubstr("src='data:image/png;base64,iVBORw0KGgo"));  // PNG signature
  EXPECT_THAT(html, HasSubstr("<h2>Confusion matrix (epoch 2)</h2>"));
  EXPECT_THAT(html, HasSubstr("<td>The &lt;b&gt;cat&lt;/b&gt; &amp; dog.</td>"));  // escaped
  EXPECT_THAT(html, HasSubstr("labels: [unacceptable, acceptable]"));
  // sha256("weights"), as `printf weights | sha256sum` prints it.
  EXPECT_THAT(html, HasSubstr("<td>checkpoints/best/model.safetensors</td><td>7</td><td><code>"
                              "9a129038d9a00aed0cf6a7ea059ca50a813449061ab87848cf1a13eafdf33b2c"));
  // No external assets: nothing is fetched from anywhere.
  EXPECT_THAT(html, Not(HasSubstr("src='http")));
  EXPECT_THAT(html, Not(HasSubstr("<script")));
  EXPECT_THAT(html, Not(HasSubstr("<link")));
}

TEST_F(ReportTest, ChecksEventFilesAndReportsCorruption) {
  std::filesystem::path events;
  {
    EventWriter w(run_);
    events = w.path();
    w.add_scalar("train/loss", 1, 0.5);
  }
  EXPECT_THAT(render_report(run_), HasSubstr(": 2 records, all CRCs valid"));
  std::string bytes = read_file(events);
  bytes[bytes.size() - 6] = static_cast<char>(bytes[bytes.size() - 6] ^ 4);
  write_file_atomic(events, bytes);
  EXPECT_THAT(cola::test::error_message<Error>([&] { render_report(run_); }),
              HasSubstr(events.string() + ": offset "));
}

TEST_F(ReportTest, WritesReportHtmlAtomically) {
  EXPECT_EQ(write_report(run_), run_ / "report.html");
  EXPECT_THAT(read_file(run_ / "report.html"), HasSubstr("<!DOCTYPE html>"));
}

TEST(SvgChart, EmptyAndEscaped) {
  EXPECT_THAT(svg_line_chart("a<b", "x", {}), HasSubstr("no data"));
  EXPECT_THAT(svg_line_chart("a<b", "x", {}), HasSubstr("a&lt;b"));
  EXPECT_EQ(base64_encode("Man"), "TWFu");  // RFC 4648 examples
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("f"), "Zg==");
}

std::string run_command(const std::string& cmd) {
  std::FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return "";
  std::array<char, 4096> buf{};
  std::string out;
  size_t n = 0;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  ::pclose(p);
  return out;
}

TEST_F(ReportTest, RendersInHeadlessChromium) {
  const std::string chromium = run_command("command -v chromium chromium-browser | head -n1");
  if (chromium.empty()) {
    GTEST_SKIP() << "chromium is not installed (apt-get install chromium, see "
                    "scripts/install-deps.sh); the report was not checked in a browser";
  }
  const auto page = write_report(run_);
  // --no-sandbox: CI containers run as root, where Chromium's sandbox refuses to start.
  const std::string dom =
      run_command("timeout 120 chromium --headless --no-sandbox --disable-gpu --dump-dom 'file://" +
                  page.string() + "' 2>/dev/null");
  ASSERT_THAT(dom, HasSubstr("</html>")) << "chromium printed no DOM";
  // The browser parsed the inline SVG as SVG elements (re-serialised with its own quoting).
  EXPECT_EQ(count(dom, "<svg class=\"chart\""), 5U);
  EXPECT_EQ(count(dom, "<polyline class=\"series\""), 7U);
  EXPECT_THAT(dom, HasSubstr("<img class=\"confusion\""));
  EXPECT_THAT(dom, HasSubstr("<table class=\"wrong\">"));
}

}  // namespace
}  // namespace cola::track

// `cola runs`, `cola report`, `cola verify` and `cola train -m --cfg` through the real binary:
// output, exit codes (2 usage, 1 runtime) and one error line on stderr.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/file.h"
#include "support/run_cli.h"
#include "support/run_dir_fixture.h"
#include "support/shared_data.h"

namespace cola::test {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

void expect_one_error_line(const CliResult& r, int code, const std::string& what) {
  EXPECT_EQ(r.exit_code, code) << r.err;
  EXPECT_EQ(count_lines(r.err), 1) << r.err;
  EXPECT_THAT(r.err, StartsWith("cola: error: "));
  EXPECT_THAT(r.err, HasSubstr(what));
}

class TrackCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    write_run(dir_ / "runs/good", {"training.lr=1e-3"}, {{0.6, 0.7, 0.4}}, "finished");
    write_run(dir_ / "runs/poor", {"training.lr=1"}, {{0.7, 0.5, 0.0}}, "finished");
  }
  TempDir dir_;
};

TEST_F(TrackCliTest, RunsListsSortsAndFilters) {
  auto r = run_cli({"runs", (dir_ / "runs").string(), "--sort", "valid/mcc", "--reverse"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(count_lines(r.out), 3);
  EXPECT_LT(r.out.find("training.lr=1e-3"), r.out.find("training.lr=1)"));
  r = run_cli({"runs", (dir_ / "runs").string(), "--filter", "valid/mcc>0.1"});
  EXPECT_EQ(count_lines(r.out), 2);
  EXPECT_THAT(r.out, HasSubstr("good"));
  expect_one_error_line(run_cli({"runs", (dir_ / "runs").string(), "--filter", "valid/mcc=0.1"}), 2,
                        "expected KEY OP VALUE");
  expect_one_error_line(run_cli({"runs", (dir_ / "nope").string()}), 1, "nope: no such directory");
}

TEST_F(TrackCliTest, ReportWritesHtmlOrNamesTheProblem) {
  const auto r = run_cli({"report", (dir_ / "runs/good").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("report.html"));
  EXPECT_THAT(read_file(dir_ / "runs/good/report.html"), HasSubstr("<svg class='chart'"));
  expect_one_error_line(run_cli({"report", (dir_ / "runs/none").string()}), 1,
                        "no such run directory");
  write_file_atomic(dir_ / "runs/good/events.out.tfevents.1.host", std::string(20, 'x'));
  expect_one_error_line(run_cli({"report", (dir_ / "runs/good").string()}), 1,
                        "events.out.tfevents.1.host: offset 0: length CRC mismatch");
}

TEST_F(TrackCliTest, VerifyExits1NamingTheFileThatDiffers) {
  const auto ckpt = dir_ / "ckpt";
  write_file_atomic(ckpt / "model.safetensors", "weights");
  write_file_atomic(ckpt / "config.json", "{}");
  expect_one_error_line(run_cli({"verify", ckpt.string()}), 1, "no manifest");
  write_file_atomic(dir_ / "ckpt.manifest.json",
                    "{\"format\":\"cola-manifest/1\",\"artifact\":\"ckpt\",\"kind\":\"directory\","
                    "\"files\":[{\"path\":\"config.json\",\"size\":2,\"sha256\":"
                    "\"44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a\"},"
                    "{\"path\":\"model.safetensors\",\"size\":7,\"sha256\":"
                    "\"9a129038d9a00aed0cf6a7ea059ca50a813449061ab87848cf1a13eafdf33b2c\"}]}");
  auto r = run_cli({"verify", ckpt.string()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("2 files match"));
  write_file_atomic(ckpt / "model.safetensors", "weightz");
  r = run_cli({"verify", ckpt.string()});
  expect_one_error_line(r, 1,
                        (ckpt / "model.safetensors").string() + ": differs from the manifest");
}

TEST_F(TrackCliTest, MultirunCfgPrintsEveryJobWithoutTraining) {
  const auto r =
      run_cli({"train", "-m", "training.lr=1e-3,3e-4", "model=bert-tiny,bert-mini", "--cfg"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("# job 0: training.lr=1e-3 model=bert-tiny\n"));
  EXPECT_THAT(r.out, HasSubstr("# job 3: training.lr=3e-4 model=bert-mini\n"));
  EXPECT_THAT(r.out, HasSubstr("dir: multirun/"));
  expect_one_error_line(run_cli({"train", "-m", "training.lr=range(1,x)", "--cfg"}), 2,
                        "invalid sweep 'training.lr=range(1,x)'");
  expect_one_error_line(run_cli({"train", "-m", "model=bert-tiny,bert-huge", "--cfg"}), 2,
                        "multirun job 1");
  expect_one_error_line(run_cli({"train", "training.lr=1e-3,3e-4", "--cfg"}), 2,
                        "run it with -m/--multirun");
}

}  // namespace
}  // namespace cola::test

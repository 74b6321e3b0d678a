// The CLI contract: help and version, exit codes (2 usage, 1 runtime), one line on stderr.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/file.h"
#include "support/run_cli.h"
#include "support/shared_data.h"

namespace cola::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

TEST(Cli, HelpAndVersion) {
  auto r = run_cli({"--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, HasSubstr("config"));
  r = run_cli({"--version"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, StartsWith("cola 0.1.0 (ONNX Runtime 1.30"));
  r = run_cli({"config", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, HasSubstr("--cfg"));
}

TEST(Cli, UsageErrorsExit2WithOneLine) {
  for (const auto& args :
       std::vector<std::vector<std::string>>{{},
                                             {"no-such-command"},
                                             {"config", "--no-such-flag"},
                                             {"config", "training.max_epoch=3"},
                                             {"config", "model=bert-huge"},
                                             {"config", "training.max_epochs=abc"}}) {
    const auto r = run_cli(args);
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_EQ(count_lines(r.err), 1) << r.err;
    EXPECT_THAT(r.err, StartsWith("cola: error: "));
    EXPECT_EQ(r.out, "");
  }
  EXPECT_THAT(run_cli({"config", "training.max_epoch=3"}).err,
              HasSubstr("did you mean 'training.max_epochs'?"));
  EXPECT_THAT(run_cli({"config", "model=bert-huge"}).err,
              HasSubstr("available options in 'model': bert-base, bert-medium, bert-mini"));
  EXPECT_THAT(run_cli({"config", "training.max_epochs=abc"}).err,
              HasSubstr("training.max_epochs: expected an integer, got 'abc'"));
}

TEST(Cli, ConfigPrintsTheResolvedConfig) {
  const auto r = run_cli({"config", "model=bert-mini", "training.lr=1e-4"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("name: bert-mini"));
  EXPECT_THAT(r.out, HasSubstr("hidden_size: 256"));
  EXPECT_THAT(r.out, HasSubstr("lr: 1e-4"));
  EXPECT_THAT(r.out, Not(HasSubstr("${")));  // interpolations are resolved
  EXPECT_THAT(r.out, Not(HasSubstr("defaults")));
}

TEST(Cli, ConfigDirFlagAndBrokenConfigFile) {
  TempDir tmp;
  write_file_atomic(tmp / "config.yaml", "seed: [1\n");
  const auto r = run_cli({"config", "--config-dir", tmp.path().string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(count_lines(r.err), 1) << r.err;
  EXPECT_THAT(r.err, HasSubstr("config.yaml:2:1:"));
}

TEST(Cli, DataStatsOnTheSampleDataset) {
  const auto r = run_cli({"data", "stats", "data=sample"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("train.tsv"));
  EXPECT_THAT(r.out, HasSubstr("8000"));  // rows in data/sample/train.tsv
  EXPECT_THAT(r.out, HasSubstr("dev.tsv"));
  EXPECT_THAT(r.out, HasSubstr("p50"));
}

TEST(Cli, DataStatsOnABadFileNamesFileAndLine) {
  TempDir tmp;
  write_file_atomic(tmp / "bad.tsv", "src\t1\t\tA fine sentence.\nsrc\t7\t\tBad label.\n");
  const auto r = run_cli({"data", "stats", "--path", (tmp / "bad.tsv").string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(count_lines(r.err), 1) << r.err;
  EXPECT_THAT(r.err, HasSubstr("bad.tsv:2: label '7'"));
}

TEST(Cli, EverySubcommandHasHelp) {
  for (const char* cmd : {"config", "vocab", "tokenize", "data", "train"}) {
    const auto r = run_cli({cmd, "--help"});
    EXPECT_EQ(r.exit_code, 0) << cmd;
    EXPECT_THAT(r.out, HasSubstr("Usage")) << cmd;
  }
}

}  // namespace
}  // namespace cola::test

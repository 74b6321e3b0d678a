// Reading run directories back, and `cola runs` sorting and filtering.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/error.h"
#include "support/error_message.h"
#include "support/run_dir_fixture.h"
#include "support/shared_data.h"
#include "track/runs_table.h"

namespace cola::track {
namespace {

using cola::test::error_message;
using ::testing::HasSubstr;
using ::testing::StartsWith;

class RunsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cola::test::write_run(root_ / "outputs/a", {"training.lr=1e-3", "hydra.run.dir=x"},
                          {{0.70, 0.55, 0.05}, {0.60, 0.65, 0.30}, {0.65, 0.70, 0.35}}, "finished",
                          "2026-11-27 09:00:00");
    cola::test::write_run(root_ / "outputs/b", {}, {{0.68, 0.60, 0.10}}, "", "2026-11-27 11:00:00");
    cola::test::write_run(root_ / "multirun/d/t/0", {"model=bert-mini"}, {{0.50, 0.80, 0.55}},
                          "interrupted", "2026-11-26 08:00:00");
    write_file_atomic(root_ / "outputs/not-a-run/file.txt", "x");
  }
  cola::test::TempDir root_;
};

TEST_F(RunsTest, LoadsWhatTheTrainerWrites) {
  const auto run = load_run(root_ / "outputs/a");
  EXPECT_EQ(run.status, "finished");
  EXPECT_EQ(run.started, "2026-11-27 09:00:00");
  EXPECT_DOUBLE_EQ(run.duration_seconds, 65);  // 09:00:00 to 09:01:05 in train.log
  EXPECT_EQ(run.epochs, 3);
  EXPECT_EQ(run.overrides, std::vector<std::string>{"training.lr=1e-3"});  // hydra.* dropped
  EXPECT_DOUBLE_EQ(*run_metric(run, "valid/loss"), 0.60);  // the best is the lowest loss...
  EXPECT_DOUBLE_EQ(*run_metric(run, "valid/mcc"), 0.30);   // ...not the highest MCC
  EXPECT_EQ(run.steps.size(), 3U);
  EXPECT_EQ(run.validations.size(), 3U);
  EXPECT_EQ(load_run(root_ / "outputs/b").status, "incomplete");
}

TEST_F(RunsTest, FindsRunsButNotInsideThem) {
  write_file_atomic(root_ / "outputs/a/checkpoints/best/.hydra/config.yaml", "x: 1\n");
  const auto runs = find_runs(root_.path());
  ASSERT_EQ(runs.size(), 3U);
  EXPECT_EQ(runs[0], root_ / "multirun/d/t/0");
}

TEST_F(RunsTest, SortsAndFilters) {
  RunsQuery q;
  q.roots = {root_ / "outputs", root_ / "multirun"};
  auto runs = query_runs(q);  // by date
  ASSERT_EQ(runs.size(), 3U);
  EXPECT_EQ(runs[0].dir, root_ / "multirun/d/t/0");
  q.sort_key = "valid/mcc";
  q.descending = true;
  runs = query_runs(q);
  EXPECT_EQ(runs[0].dir, root_ / "multirun/d/t/0");
  EXPECT_EQ(runs[2].dir, root_ / "outputs/b");
  q.filters = {parse_run_filter("valid/mcc>0.2"), parse_run_filter("status!=interrupted")};
  runs = query_runs(q);
  ASSERT_EQ(runs.size(), 1U);
  EXPECT_EQ(runs[0].dir, root_ / "outputs/a");
  q.filters = {parse_run_filter("date>=2026-11-27"), parse_run_filter("epochs<=1")};
  runs = query_runs(q);
  ASSERT_EQ(runs.size(), 1U);
  EXPECT_EQ(runs[0].dir, root_ / "outputs/b");
}

TEST_F(RunsTest, TableHasOneRowPerRun) {
  RunsQuery q;
  q.roots = {root_.path()};
  const auto table = format_runs_table(query_runs(q));
  EXPECT_THAT(table, StartsWith("date "));
  EXPECT_THAT(table, HasSubstr("2026-11-27 09:00:00  finished          3      0.6000     0.6500"
                               "     0.3000      1:05  "));
  EXPECT_THAT(table, HasSubstr("(training.lr=1e-3)"));
  EXPECT_THAT(table, HasSubstr("incomplete"));
  EXPECT_THAT(table, HasSubstr("(defaults)"));
}

TEST_F(RunsTest, BadFiltersAndKeysAreUsageErrors) {
  EXPECT_THAT(error_message<UsageError>([] { parse_run_filter("valid/mcc"); }),
              HasSubstr("expected KEY OP VALUE"));
  EXPECT_THAT(error_message<UsageError>([] { parse_run_filter("valid/mcc>high"); }),
              HasSubstr("'high' is not a number"));
  EXPECT_THAT(error_message<UsageError>([] { parse_run_filter("valid/mc>0.1"); }),
              HasSubstr("did you mean 'valid/mcc'?"));
  EXPECT_THAT(error_message<UsageError>([] { parse_run_filter("status>done"); }),
              HasSubstr("== or != only"));
}

TEST_F(RunsTest, MalformedFilesNameFileAndLine) {
  write_file_atomic(root_ / "outputs/a/metrics.jsonl", "{\"step\":1}\nnot json\n{\"partial");
  EXPECT_EQ(error_message<Error>([&] { load_run(root_ / "outputs/a"); }),
            (root_ / "outputs/a/metrics.jsonl").string() + ":2: not a JSON object");
  write_file_atomic(root_ / "outputs/a/metrics.jsonl", "{\"step\":1}\n{\"partial");  // a crash
  EXPECT_EQ(load_run(root_ / "outputs/a").epochs, 0);
  EXPECT_THAT(error_message<Error>([&] { load_run(root_ / "outputs/not-a-run"); }),
              HasSubstr("not a run directory (no .hydra/config.yaml)"));
  EXPECT_THAT(error_message<Error>([&] { load_run(root_ / "nope"); }),
              HasSubstr("nope: no such run directory"));
}

}  // namespace
}  // namespace cola::track

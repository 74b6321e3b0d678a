// `cola train -m`: a real two-by-two sweep through the LibTorch plugin (tiny model, step cap):
// one run directory per job under the sweep dir, each with its own overrides, and the summary.
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/file.h"
#include "support/run_cli.h"
#include "support/shared_data.h"

namespace cola::test {
namespace {

using ::testing::HasSubstr;

TEST(MultirunCli, RunsTheCartesianProductOneJobPerDirectory) {
  TempDir tmp;
  const auto r =
      run_cli({"train", "-m", "training.lr=1e-3,3e-4", "seed=range(1,3)",
               "hydra.sweep.dir=" + (tmp / "sweep").string(), "model.num_hidden_layers=1",
               "model.hidden_size=32", "model.intermediate_size=64", "training.max_epochs=1",
               "training.limit_train_batches=2", "training.num_threads=1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // BasicSweeper order: the first override varies slowest.
  const std::vector<std::pair<const char*, const char*>> expected = {
      {"1e-3", "1"}, {"1e-3", "2"}, {"3e-4", "1"}, {"3e-4", "2"}};
  for (size_t n = 0; n < expected.size(); ++n) {
    const auto job = tmp / "sweep" / std::to_string(n);
    EXPECT_TRUE(std::filesystem::exists(job / "summary.json")) << job;
    EXPECT_THAT(read_file(job / ".hydra/overrides.yaml"),
                HasSubstr(fmt::format("- \"training.lr={}\"\n- \"seed={}\"\n", expected[n].first,
                                      expected[n].second)));
    EXPECT_THAT(read_file(job / ".hydra/config.yaml"), HasSubstr("dir: " + job.string()));
  }
  const auto summary = read_file(tmp / "sweep/summary.txt");
  EXPECT_EQ(count_lines(summary), 5);  // header + 4 jobs
  EXPECT_THAT(r.out, HasSubstr("multirun summary"));
  EXPECT_THAT(summary, HasSubstr("training.lr=3e-4 seed=2"));
}

}  // namespace
}  // namespace cola::test

// `cola train` through the real binary (and its LibTorch plugin), on the sample data with a tiny
// model and a step cap.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <regex>
#include <thread>

#include "core/file.h"
#include "support/run_cli.h"
#include "support/shared_data.h"

namespace cola::test {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;

TEST(TrainCli, WritesARunDirectoryAndPrintsTheBestMetrics) {
  TempDir tmp;
  const auto r = run_cli(tiny_train_args((tmp / "run").string()));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("best validation (epoch 1, step 5)"));
  EXPECT_THAT(r.out, HasSubstr("valid/mcc"));
  for (const auto* f :
       {".hydra/config.yaml", ".hydra/overrides.yaml", "metrics.jsonl", "summary.json",
        "checkpoints/best/config.json", "checkpoints/last/trainer_state.json"}) {
    EXPECT_TRUE(fs::exists(tmp / "run" / f)) << f;
  }
}

TEST(TrainCli, AHiddenSizeTheHeadsDoNotDivideIsAUsageError) {
  TempDir tmp;
  auto args = tiny_train_args((tmp / "run").string());
  args.push_back("model.hidden_size=30");  // 30 / 4 heads is not a whole head size
  args.push_back("model.num_attention_heads=4");
  const auto r = run_cli(args);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(count_lines(r.err), 1) << r.err;  // checked before LibTorch loads: nothing else logged
  EXPECT_THAT(r.err, HasSubstr("30"));
}

// Ctrl-C finishes the step, saves `last`, and exits with one line saying how to resume.
TEST(TrainCli, CtrlCSavesLastAndExplainsHowToResume) {
  TempDir tmp;
  auto args = tiny_train_args((tmp / "run").string());
  args.push_back("training.max_epochs=1000");
  args.push_back("training.limit_train_batches=1.0");
  BackgroundCli cli(args);
  const auto metrics = tmp / "run" / "metrics.jsonl";
  // Wait until training is under way (the first logged step), at most 60 s.
  for (int i = 0; i < 600 && !(fs::exists(metrics) && fs::file_size(metrics) > 0); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(fs::exists(metrics)) << "training never started";
  cli.signal(SIGINT);
  const auto r = cli.wait();
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_THAT(r.err, HasSubstr("cola: error: interrupted at step "));
  EXPECT_THAT(r.err, HasSubstr("continue with training.resume="));
  EXPECT_TRUE(fs::exists(tmp / "run" / "checkpoints" / "last" / "trainer_state.json"));
  EXPECT_THAT(read_file(tmp / "run" / "summary.json"), HasSubstr("\"status\": \"interrupted\""));
}

// The quality bar for data/sample: bert-tiny from scratch, with the recipe data/sample/README.md
// documents (no dropout, batch 16, lr 3e-4, 20 epochs capped at 10,000 steps, early stopping on
// valid/loss), must pass 90% dev accuracy at its best checkpoint. Two seeds reached 96.2% and
// 93.2% here. One thread: CTest runs two tests at once, and spin-waiting OpenMP threads beside
// another busy process run many times slower. About 2 minutes.
TEST(TrainCli, SampleReachesNinetyPercentDevAccuracyWithinTheStepCap) {
  TempDir tmp;
  const auto r = run_cli({"train", "data=sample", "model=bert-tiny", "model.hidden_dropout_prob=0",
                          "model.attention_probs_dropout_prob=0", "model.classifier_dropout=0",
                          "data.batch_size=16", "training.lr=3e-4", "training.max_epochs=20",
                          "training.max_steps=10000", "training.num_threads=1",
                          "hydra.run.dir=" + (tmp / "run").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // The closing table: "  valid/acc           0.9620".
  std::smatch m;
  ASSERT_TRUE(std::regex_search(r.out, m, std::regex(R"(valid/acc\s+([0-9.]+))"))) << r.out;
  EXPECT_GE(std::stod(m[1].str()), 0.90) << r.out;
}

}  // namespace
}  // namespace cola::test

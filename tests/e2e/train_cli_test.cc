// `cola train` through the real binary (and its LibTorch plugin), on the sample data with a tiny
// model and a step cap.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <csignal>
#include <fstream>
#include <numeric>
#include <random>
#include <regex>
#include <sstream>
#include <thread>

#include "core/file.h"
#include "support/run_cli.h"
#include "support/shared_data.h"
#include "support/weights.h"
#include "track/event_reader.h"

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

// The "step" of a metrics.jsonl line, or -1 (a line torn by the kill).
int64_t step_of(const std::string& line) {
  static const std::regex step("\"step\": ?([0-9]+)");
  std::smatch m;
  return std::regex_search(line, m, step) ? std::stoll(m[1]) : -1;
}

// The last step metrics.jsonl holds (0 before the first).
int64_t last_logged_step(const fs::path& metrics) {
  std::ifstream in(metrics);
  int64_t last = 0;
  for (std::string line; std::getline(in, line);) last = std::max(last, step_of(line));
  return last;
}

// kill -9 at a random step of a deterministic run, then `cola train training.resume=RUN` with
// nothing retyped: the same directory, the same final weights as a run never killed (1e-6).
TEST(TrainCli, SigkillAtARandomStepThenResumeReachesTheSameWeights) {
  TempDir tmp;
  std::vector<std::string> args{"train",
                                "model=bert-tiny",
                                "model.num_hidden_layers=1",
                                "data.batch_size=8",
                                "training.max_epochs=3",
                                "training.limit_train_batches=10",
                                "training.limit_val_batches=2",
                                "training.deterministic=true",
                                "training.num_threads=1",
                                "training.log_every_n_steps=1",
                                "training.checkpoint_every_n_steps=3"};
  auto with_dir = [&](const fs::path& dir) {
    auto a = args;
    a.push_back("hydra.run.dir=" + dir.string());
    return a;
  };
  const auto full = run_cli(with_dir(tmp / "full"));
  ASSERT_EQ(full.exit_code, 0) << full.err;

  std::mt19937 rng(std::random_device{}());
  const int64_t kill_at = std::uniform_int_distribution<int64_t>(4, 18)(rng);  // well before 30
  SCOPED_TRACE("SIGKILL after step " + std::to_string(kill_at));
  const fs::path run = tmp / "run";
  {
    BackgroundCli cli(with_dir(run));
    while (last_logged_step(run / "metrics.jsonl") < kill_at) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    cli.signal(SIGKILL);
    EXPECT_NE(cli.wait().exit_code, 0);
  }
  const auto killed_at = last_logged_step(run / "metrics.jsonl");
  ASSERT_LT(killed_at, 30) << "the run finished before the kill";
  {  // what the killed process left reads back: every metrics line and event record but perhaps
     // a last one cut short by the kill
    const std::string text = read_file(run / "metrics.jsonl");
    std::istringstream lines(text.substr(0, text.rfind('\n') + 1));
    for (std::string line; std::getline(lines, line);) EXPECT_NE(step_of(line), -1) << line;
    for (const auto& f : track::find_event_files(run)) {
      size_t torn = 0;
      EXPECT_NO_THROW(track::read_event_file(f, &torn));
    }
  }
  const auto resumed = run_cli({"train", "training.resume=" + run.string()});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_THAT(resumed.out, HasSubstr("run directory: " + run.string()));
  EXPECT_THAT(resumed.out, HasSubstr("best validation (epoch "));
  EXPECT_LE(
      max_weight_difference(tmp / "full" / "checkpoints" / "last", run / "checkpoints" / "last"),
      1e-6F);
  // One record per step, none repeated: the lost steps were dropped and trained again.
  std::ifstream in(run / "metrics.jsonl");
  std::vector<int64_t> steps;
  for (std::string line; std::getline(in, line);) {
    if (line.find("train/loss") != std::string::npos) steps.push_back(step_of(line));
  }
  std::vector<int64_t> expected(30);
  std::iota(expected.begin(), expected.end(), 1);
  EXPECT_EQ(steps, expected);
  const auto summary = read_file(run / "summary.json");
  EXPECT_THAT(summary, HasSubstr("\"status\": \"finished\""));
  EXPECT_THAT(summary, HasSubstr("\"epochs_run\": 3"));  // both processes' validations
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

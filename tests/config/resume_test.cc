// training.resume=RUN: the run's own config comes back from RUN/.hydra, and overrides beside it
// are limited to what cannot change what is trained.
#include "config/resume.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "config/tree.h"
#include "core/error.h"
#include "support/error_message.h"
#include "support/shared_data.h"

namespace cola::config {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;

class ResumeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(run_ / ".hydra");
    fs::create_directories(run_ / "checkpoints" / "last");
    fs::create_directories(run_ / "checkpoints" / "best");
    std::ofstream(run_ / ".hydra" / "config.yaml")
        << "seed: 7\nmodel:\n  hidden_size: 32\ntraining:\n  max_epochs: 2\n  lr: 0.001\n"
           "  resume: ''\nhydra:\n  run:\n    dir: outputs/old\n";
    std::ofstream(run_ / ".hydra" / "overrides.yaml")
        << "- \"seed=7\"\n- \"model.hidden_size=32\"\n";
  }
  static std::string at(const YAML::Node& tree, const char* key) {
    return find(tree, key).Scalar();
  }

  test::TempDir tmp_;
  fs::path run_ = tmp_ / "run";
};

TEST_F(ResumeTest, ARunDirectoryBringsBackItsConfigAndContinuesInPlace) {
  const auto r = resumed_run({"training.resume=" + run_.string()});
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->run_dir, run_);
  EXPECT_EQ(r->checkpoint, run_ / "checkpoints" / "last");
  EXPECT_EQ(at(r->effective, "seed"), "7");
  EXPECT_EQ(at(r->effective, "model.hidden_size"), "32");
  EXPECT_EQ(at(r->effective, "training.resume"), (run_ / "checkpoints" / "last").string());
  EXPECT_EQ(at(r->effective, "hydra.run.dir"), run_.string());
  // The record stays the run's composed config: no resume, its own run dir.
  EXPECT_EQ(at(r->record, "training.resume"), "");
  EXPECT_EQ(at(r->record, "hydra.run.dir"), "outputs/old");
  EXPECT_EQ(r->overrides, (std::vector<std::string>{"seed=7", "model.hidden_size=32"}));
}

TEST_F(ResumeTest, ACheckpointInsideARunFindsTheRun) {
  const auto r = resumed_run({"training.resume=" + (run_ / "checkpoints" / "best").string()});
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->run_dir, run_);
  EXPECT_EQ(at(r->effective, "training.resume"), (run_ / "checkpoints" / "best").string());
}

TEST_F(ResumeTest, ATrailingSlashNamesTheSameRunAndCheckpoint) {
  const auto dir = resumed_run({"training.resume=" + run_.string() + "/"});
  ASSERT_TRUE(dir.has_value());
  EXPECT_EQ(dir->run_dir, run_);
  const auto last =
      resumed_run({"training.resume=" + (run_ / "checkpoints" / "last").string() + "/"});
  ASSERT_TRUE(last.has_value());
  EXPECT_EQ(last->run_dir, run_);
  EXPECT_EQ(last->checkpoint, run_ / "checkpoints" / "last");
}

TEST_F(ResumeTest, MoreEpochsAndTheLogFrequencyMayChange) {
  const auto r = resumed_run({"training.max_epochs=5", "training.resume=" + run_.string(),
                              "training.log_every_n_steps=1"});
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(at(r->effective, "training.max_epochs"), "5");
  EXPECT_EQ(at(r->record, "training.max_epochs"), "5");  // the next resume keeps it
  EXPECT_EQ(at(r->effective, "training.log_every_n_steps"), "1");
  EXPECT_EQ(r->overrides.back(), "training.log_every_n_steps=1");
}

TEST_F(ResumeTest, OverridesThatChangeTheDataModelOrScheduleAreRefusedByName) {
  for (const std::string o : {"training.lr=0.1", "model=bert-mini", "data.batch_size=8", "seed=1",
                              "hydra.run.dir=elsewhere", "~training.max_epochs"}) {
    const auto message = test::error_message<UsageError>([&] {
      resumed_run({"training.resume=" + run_.string(), o});
    });
    EXPECT_THAT(message, HasSubstr(o + ": a resumed run keeps the data, model and schedule of "))
        << o;
    EXPECT_THAT(message, HasSubstr("training.max_epochs")) << o;
  }
}

TEST_F(ResumeTest, ARunWithoutACheckpointYetSaysSo) {
  fs::remove_all(run_ / "checkpoints");
  EXPECT_THAT(
      test::error_message<UsageError>([&] { resumed_run({"training.resume=" + run_.string()}); }),
      HasSubstr("the run stopped before its first checkpoint"));
}

TEST_F(ResumeTest, NoResumeOrACheckpointOutsideARunComposesAsUsual) {
  EXPECT_FALSE(resumed_run({"training.max_epochs=3"}).has_value());
  fs::create_directories(tmp_ / "loose");
  EXPECT_FALSE(resumed_run({"training.resume=" + (tmp_ / "loose").string()}).has_value());
}

TEST_F(ResumeTest, AMalformedRunConfigNamesTheFile) {
  for (const char* bad : {"training: [unclosed\n", "just a scalar\n", "- a\n- list\n", ""}) {
    std::ofstream(run_ / ".hydra" / "config.yaml") << bad;
    EXPECT_THAT(
        test::error_message<UsageError>([&] { resumed_run({"training.resume=" + run_.string()}); }),
        HasSubstr((run_ / ".hydra" / "config.yaml").string()))
        << bad;
  }
}

TEST_F(ResumeTest, MalformedOverridesNameTheFileAndEntry) {
  const auto file = run_ / ".hydra" / "overrides.yaml";
  for (const char* bad : {"- seed=7\n- {a: 1}\n", "- seed=7\n- [x]\n", "seed: 7\n"}) {
    std::ofstream(file) << bad;
    EXPECT_THAT(
        test::error_message<UsageError>([&] { resumed_run({"training.resume=" + run_.string()}); }),
        HasSubstr(file.string()))
        << bad;
  }
}

}  // namespace
}  // namespace cola::config

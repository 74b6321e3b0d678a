// The training loop end to end on the embedded sample data with a tiny model: determinism,
// resume equivalence, and a non-finite loss stopping the run.
#include "train/trainer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/error.h"
#include "core/file.h"
#include "support/error_message.h"
#include "support/shared_data.h"
#include "track/event_reader.h"
#include "track/event_writer.h"
#include "track/jsonl_log.h"
#include "track/manifest.h"

namespace cola::train {
namespace {

namespace fs = std::filesystem;

TrainRequest tiny_request(const fs::path& run_dir) {
  TrainRequest r;
  auto& c = r.config;
  c.run_dir = run_dir.string();
  c.model.num_hidden_layers = 1;
  c.model.hidden_size = 32;
  c.model.num_attention_heads = 2;
  c.model.intermediate_size = 64;
  c.data.dir = (test::source_dir() / "data" / "sample").string();
  c.data.vocab_size = 500;
  c.data.batch_size = 16;
  c.training.max_epochs = 2;
  c.training.limit_train_batches = {false, 5};  // 5 steps per epoch
  c.training.limit_val_batches = {false, 2};
  c.training.num_threads = 1;  // one thread: bit-for-bit repeatable reductions
  c.training.lr = 1e-3;
  r.progress = false;
  return r;
}

TEST(Trainer, SameSeedSameLosses) {
  test::TempDir a, b;
  const auto ra = train(tiny_request(a.path()));
  const auto rb = train(tiny_request(b.path()));
  ASSERT_EQ(ra.step_losses.size(), 10u);
  EXPECT_EQ(ra.step_losses, rb.step_losses);  // exactly, not approximately
  auto other = tiny_request(b / "other");
  other.config.seed = 7;
  EXPECT_NE(train(other).step_losses, ra.step_losses);
}

TEST(Trainer, WritesTheRunDirectory) {
  test::TempDir tmp;
  const auto r = train(tiny_request(tmp.path()));
  for (const auto* f : {".hydra/config.yaml", ".hydra/overrides.yaml", "train.log", "metrics.jsonl",
                        "summary.json", "vocab.txt", "misclassified/epoch-2.jsonl",
                        "checkpoints/best/model.safetensors", "checkpoints/last/trainer_state.json",
                        "checkpoints/last/optimizer.pt", "checkpoints/last/rng_state.pt"}) {
    EXPECT_TRUE(fs::exists(tmp / f)) << f;
  }
  ASSERT_EQ(r.epochs.size(), 2u);
  ASSERT_TRUE(r.best.has_value());
  EXPECT_EQ(r.steps, 10);
}

// The TensorBoard event file holds what the seed logs to W&B, each validation at its step, and
// the checkpoints get manifests that verify.
TEST(Trainer, LogsEventsAndWritesVerifiableManifests) {
  test::TempDir tmp;
  const auto r = train(tiny_request(tmp.path()));
  const auto files = track::find_event_files(tmp.path());
  ASSERT_EQ(files.size(), 1u);
  std::map<std::string, std::vector<int64_t>> steps;  // tag -> steps logged
  std::map<std::string, track::EventValue::Kind> kinds;
  for (const auto& event : track::read_event_file(files[0])) {
    for (const auto& v : event.values) steps[v.tag].push_back(event.step), kinds[v.tag] = v.kind;
  }
  for (const auto* tag : {"valid/loss", "valid/acc", "valid/mcc", "valid/f1_macro"}) {
    EXPECT_EQ(steps[tag], (std::vector<int64_t>{5, 10})) << tag;
    EXPECT_EQ(kinds[tag], track::EventValue::Kind::scalar) << tag;
  }
  EXPECT_EQ(kinds["config"], track::EventValue::Kind::text);
  EXPECT_EQ(kinds["valid/misclassified"], track::EventValue::Kind::text);
  EXPECT_EQ(kinds["valid/confusion_matrix"], track::EventValue::Kind::image);
  EXPECT_FALSE(steps["train/loss"].empty());
  for (const auto& dir : {r.best_checkpoint, r.last_checkpoint}) {
    EXPECT_TRUE(track::verify_manifest(dir).problems.empty()) << dir;
  }
}

// 1 epoch, interrupted, then resumed for the second: the same losses as 2 epochs in one go.
TEST(Trainer, ResumeContinuesExactly) {
  test::TempDir full_dir, first_dir, second_dir;
  const auto full = train(tiny_request(full_dir.path()));
  auto first_req = tiny_request(first_dir.path());
  first_req.stop_after_steps = 5;
  const auto first = train(first_req);
  ASSERT_TRUE(first.interrupted);
  auto second_req = tiny_request(second_dir.path());
  second_req.config.training.resume = first.last_checkpoint.string();
  const auto second = train(second_req);
  EXPECT_FALSE(second.interrupted);
  std::vector<double> joined = first.step_losses;
  joined.insert(joined.end(), second.step_losses.begin(), second.step_losses.end());
  ASSERT_EQ(joined.size(), full.step_losses.size());
  for (size_t i = 0; i < joined.size(); ++i) EXPECT_NEAR(joined[i], full.step_losses[i], 1e-6) << i;
  ASSERT_TRUE(second.best && full.best);
  EXPECT_NEAR(second.best->valid_loss, full.best->valid_loss, 1e-6);
}

std::vector<int64_t> logged_steps(const fs::path& run_dir, const char* key) {
  std::vector<int64_t> steps;
  std::istringstream in(read_file(run_dir / "metrics.jsonl"));
  for (std::string line; std::getline(in, line);) {
    const auto record = nlohmann::json::parse(line);
    if (record.contains(key)) steps.push_back(record.at("step").get<int64_t>());
  }
  return steps;
}

// Continued in place from a checkpoint at step 7, after the killed process had logged up to step
// 9: metrics.jsonl and the event files read as one run, without the lost steps, the summary's
// best covers both processes, and the losses are those of a run never stopped.
TEST(Trainer, ResumeInPlaceContinuesTheRunItself) {
  test::TempDir full_dir, dir;
  auto req = tiny_request(dir.path());
  req.config.training.log_every_n_steps = 1;
  auto full_req = tiny_request(full_dir.path());
  full_req.config.training.log_every_n_steps = 1;
  const auto full = train(full_req);
  req.stop_after_steps = 7;
  const auto first = train(req);
  ASSERT_TRUE(first.interrupted);
  {  // what the killed process logged past its checkpoint, the last line torn
    track::JsonlLog lost(dir.path() / "metrics.jsonl");
    lost.append({{"step", 8}, {"train/loss", 9.0}});
    lost.append({{"step", 9}, {"train/loss", 9.0}});
    track::EventWriter events(dir.path());
    events.add_scalar("train/loss", 8, 9.0);
  }
  { std::ofstream(dir.path() / "metrics.jsonl", std::ios::app) << "{\"step\": 1"; }
  req.stop_after_steps = 0;
  req.config.training.resume = (dir.path() / "checkpoints" / "last").string();
  const auto second = train(req);
  EXPECT_EQ(second.run_dir, dir.path());
  std::vector<double> joined = first.step_losses;
  joined.insert(joined.end(), second.step_losses.begin(), second.step_losses.end());
  ASSERT_EQ(joined.size(), full.step_losses.size());
  for (size_t i = 0; i < joined.size(); ++i) EXPECT_NEAR(joined[i], full.step_losses[i], 1e-6) << i;
  EXPECT_EQ(logged_steps(dir.path(), "train/loss"),
            (std::vector<int64_t>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}));
  EXPECT_EQ(logged_steps(dir.path(), "valid/loss"), (std::vector<int64_t>{5, 10}));
  ASSERT_EQ(second.epochs.size(), 2u);  // epoch 1 ran in the first process
  EXPECT_EQ(second.epochs[0].step, 5);
  ASSERT_TRUE(second.best && full.best);
  EXPECT_EQ(second.best->step, full.best->step);
  EXPECT_NEAR(second.best->valid_loss, full.best->valid_loss, 1e-6);
  std::map<std::string, std::vector<int64_t>> tb;  // tag -> steps, as TensorBoard reads them
  for (const auto& event : track::read_run_events(dir.path())) {
    for (const auto& v : event.values) tb[v.tag].push_back(event.step);
  }
  EXPECT_EQ(tb["valid/loss"], (std::vector<int64_t>{5, 10}));
  EXPECT_EQ(tb["train/loss"], (std::vector<int64_t>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}));
  EXPECT_THAT(read_file(dir.path() / "summary.json"), ::testing::HasSubstr("\"epochs_run\": 2"));
}

TEST(Trainer, ResumingAFinishedRunAsksForMoreEpochs) {
  test::TempDir dir;
  auto req = tiny_request(dir.path());
  train(req);
  req.config.training.resume = (dir.path() / "checkpoints" / "last").string();
  EXPECT_THAT(test::error_message<UsageError>([&] { train(req); }),
              ::testing::HasSubstr("the run has finished (2 epochs, 10 steps); set "
                                   "training.max_epochs (or training.max_steps) higher"));
  req.config.training.max_epochs = 3;  // more epochs: the schedule stretches, the run goes on
  const auto more = train(req);
  EXPECT_EQ(more.steps, 15);
  EXPECT_EQ(more.epochs.size(), 3u);
}

TEST(Trainer, ResumingWithAnotherSeedIsRefused) {
  test::TempDir first_dir, second_dir;
  auto first_req = tiny_request(first_dir.path());
  first_req.stop_after_steps = 3;
  const auto first = train(first_req);
  auto req = tiny_request(second_dir.path());
  req.config.seed = 1;
  req.config.training.resume = first.last_checkpoint.string();
  EXPECT_THROW(train(req), UsageError);
}

// A second fresh run into the same directory would interleave its metrics with the first's and
// replace its checkpoints: it is refused before anything is written.
TEST(Trainer, ANewRunNeverWritesIntoAnOldOne) {
  test::TempDir dir;
  auto req = tiny_request(dir.path());
  req.stop_after_steps = 2;
  const auto first = train(req);
  const std::string metrics = read_file(dir.path() / "metrics.jsonl");
  const std::string weights = read_file(first.last_checkpoint / "model.safetensors");
  EXPECT_THAT(test::error_message<UsageError>([&] { train(req); }),
              ::testing::HasSubstr(
                  dir.path().string() +
                  ": already holds a run (metrics.jsonl); choose "
                  "another hydra.run.dir, remove it, or continue it with training.resume="));
  EXPECT_EQ(read_file(dir.path() / "metrics.jsonl"), metrics);
  EXPECT_EQ(read_file(first.last_checkpoint / "model.safetensors"), weights);
}

TEST(Trainer, NonFiniteLossStopsWithAClearError) {
  test::TempDir tmp;
  auto req = tiny_request(tmp.path());
  req.config.training.lr = 1e30;
  req.config.training.max_grad_norm = 0;
  req.config.training.warmup_ratio = 0;
  try {
    train(req);
    FAIL() << "expected the run to stop";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("the loss is"));
    EXPECT_THAT(e.what(), ::testing::HasSubstr("stopping without updating the weights"));
  }
}

}  // namespace
}  // namespace cola::train

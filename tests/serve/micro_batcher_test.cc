// Dynamic batching with a model held at a gate: what queues while a batch runs forms the next
// batch, within the token and request budgets, first come first served, client batches whole.
#include "serve/micro_batcher.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

#include "fake_model.h"

namespace cola::serve {
namespace {

using ::testing::ElementsAre;

// A job of `n` copies of a text ("a b": 4 tokens with [CLS] and [SEP]).
std::shared_ptr<Job> job(const predict::Predictor& model, int n, const std::string& text = "a b") {
  std::vector<text::Encoding> encodings(static_cast<size_t>(n));
  for (auto& e : encodings) model.tokenizer().encode(text, {.max_length = 16}, e);
  return std::make_shared<Job>(std::move(encodings));
}

// Waits for a job's results (false if it was abandoned).
bool finished(Job& j) { return j.wait(Clock::now() + std::chrono::seconds(60)); }

TEST(MicroBatcher, WhatQueuesWhileABatchRunsIsTheNextBatch) {
  test::GatedModel model;
  Metrics metrics;
  MicroBatcher batcher(model, {}, metrics);
  model.close();
  auto first = job(model, 1);
  batcher.submit(first);
  model.wait_entered(1);  // the first batch is in forward(), held
  std::vector<std::shared_ptr<Job>> rest;
  for (int i = 0; i < 3; ++i) batcher.submit(rest.emplace_back(job(model, 1, "a b c")));
  model.open();
  for (auto& j : rest) EXPECT_TRUE(finished(*j));
  EXPECT_THAT(model.rows(), ElementsAre(1, 3));
  // Each job got its own row: 5 real tokens ("a b c" with [CLS]/[SEP]) padded to 5.
  EXPECT_EQ(rest[2]->results()[0].logits, (std::vector<float>{5, 5}));
  EXPECT_EQ(first->results()[0].logits, (std::vector<float>{4, 4}));
  EXPECT_EQ(metrics.batch_size().count(), 2u);
}

TEST(MicroBatcher, WithAKnownCostABatchRunsAsPassesOfLikeLengths) {
  test::GatedModel model;
  Metrics metrics;
  MicroBatcher batcher(model, {}, metrics);
  batcher.set_cost({.per_run = 2, .per_token = 1});
  model.close();
  auto blocker = job(model, 1);
  batcher.submit(blocker);
  model.wait_entered(1);
  // Three short inputs and a long one, queued together: one batch, two passes.
  std::vector<std::shared_ptr<Job>> jobs = {job(model, 1, "a b c d a b c d a b c d a b"),
                                            job(model, 1), job(model, 2)};
  for (auto& j : jobs) batcher.submit(j);
  model.open();
  for (auto& j : jobs) EXPECT_TRUE(finished(*j));
  EXPECT_THAT(model.rows(), ElementsAre(1, 3, 1));
  EXPECT_EQ(metrics.batch_size().count(), 2u);  // batches as formed, not passes
  EXPECT_EQ(jobs[0]->results()[0].logits, (std::vector<float>{16, 16}));
  EXPECT_EQ(jobs[2]->results()[1].logits, (std::vector<float>{4, 4}));  // padded to 4, not 16
}

TEST(MicroBatcher, TheTokenBudgetCapsABatchAndAClientBatchIsNeverSplit) {
  test::GatedModel model;
  Metrics metrics;
  MicroBatcher batcher(
      model, {.max_batch_tokens = 8, .max_batch_requests = 0, .max_queue_delay_us = 0}, metrics);
  model.close();
  auto blocker = job(model, 1);
  batcher.submit(blocker);
  model.wait_entered(1);
  // 4-token inputs under an 8-token budget: two a batch; a client batch of 3 goes alone.
  std::vector<std::shared_ptr<Job>> jobs = {job(model, 1), job(model, 1), job(model, 3),
                                            job(model, 1)};
  for (auto& j : jobs) batcher.submit(j);
  model.open();
  for (auto& j : jobs) EXPECT_TRUE(finished(*j));
  EXPECT_THAT(model.rows(), ElementsAre(1, 2, 3, 1));
  EXPECT_EQ(jobs[2]->results().size(), 3u);
}

TEST(MicroBatcher, TheRequestCapCountsInputs) {
  test::GatedModel model;
  Metrics metrics;
  MicroBatcher batcher(
      model, {.max_batch_tokens = 1 << 20, .max_batch_requests = 3, .max_queue_delay_us = 0},
      metrics);
  model.close();
  batcher.submit(job(model, 1));
  model.wait_entered(1);
  std::vector<std::shared_ptr<Job>> jobs = {job(model, 2), job(model, 2), job(model, 1)};
  for (auto& j : jobs) batcher.submit(j);
  model.open();
  for (auto& j : jobs) EXPECT_TRUE(finished(*j));
  EXPECT_THAT(model.rows(), ElementsAre(1, 2, 3));
}

TEST(MicroBatcher, AnAbandonedJobIsSkippedAndNeverRun) {
  test::GatedModel model;
  Metrics metrics;
  MicroBatcher batcher(model, {}, metrics);
  model.close();
  batcher.submit(job(model, 1));
  model.wait_entered(1);
  auto late = job(model, 2);
  auto kept = job(model, 1);
  batcher.submit(late);
  batcher.submit(kept);
  EXPECT_FALSE(late->wait(Clock::now()));  // its handler gave up: 503
  model.open();
  EXPECT_TRUE(finished(*kept));
  EXPECT_THAT(model.rows(), ElementsAre(1, 1));  // the 2 abandoned inputs never ran
}

TEST(MicroBatcher, AQueueDelayWaitsForMoreToCome) {
  test::GatedModel model;
  Metrics metrics;
  MicroBatcher batcher(
      model, {.max_batch_tokens = 16384, .max_batch_requests = 0, .max_queue_delay_us = 1'000'000},
      metrics);
  auto a = job(model, 1);
  auto b = job(model, 1);
  batcher.submit(a);
  // 20 ms against a 1 s delay: b joins a's batch even on a loaded machine that stalls the thread.
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  batcher.submit(b);
  EXPECT_TRUE(finished(*b));
  EXPECT_TRUE(finished(*a));
  EXPECT_THAT(model.rows(), ElementsAre(2));
  EXPECT_GE(a->queue_seconds(), 0.95);
}

TEST(MicroBatcher, StopRunsWhatIsQueued) {
  test::GatedModel model;
  Metrics metrics;
  auto batcher = std::make_unique<MicroBatcher>(model, MicroBatcherOptions{}, metrics);
  model.close();
  batcher->submit(job(model, 1));
  model.wait_entered(1);
  auto queued = job(model, 1);
  batcher->submit(queued);
  std::thread stopper([&] { batcher->stop(); });
  model.open();
  stopper.join();
  EXPECT_EQ(queued->results().size(), 1u);
}

}  // namespace
}  // namespace cola::serve

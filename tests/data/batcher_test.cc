// Batcher: padding and masks, shuffling (determinism, coverage, a pinned order), bucketing, eval
// order and its restoration, option validation.
#include "data/batcher.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <set>

#include "core/error.h"
#include "data/shuffle.h"

namespace cola::data {
namespace {

constexpr int64_t kPad = 0;

// n sentences whose lengths cycle through 3..(3+spread-1); ids encode (row, position).
TokenizedSplit synthetic(int64_t n, int64_t spread) {
  TokenizedSplit data;
  for (int64_t i = 0; i < n; ++i) {
    std::vector<int64_t> ids(static_cast<size_t>(3 + (i * 7) % spread));
    for (size_t j = 0; j < ids.size(); ++j) ids[j] = 1000 * (i + 1) + static_cast<int64_t>(j);
    data.ids.push_back(std::move(ids));
    data.labels.push_back(i % 2);
  }
  return data;
}

config::DataConfig options(int batch_size, int bucket_window, std::string padding = "longest") {
  config::DataConfig cfg;
  cfg.batch_size = batch_size;
  cfg.bucket_window = bucket_window;
  cfg.padding = std::move(padding);
  cfg.max_length = 16;
  return cfg;
}

std::vector<int64_t> flatten(const BatchPlan& plan) {
  std::vector<int64_t> rows;
  for (const auto& batch : plan) rows.insert(rows.end(), batch.begin(), batch.end());
  return rows;
}

TEST(Batcher, PadsToTheLongestWithMasksLabelsAndIndices) {
  TokenizedSplit data{{{101, 5, 102}, {101, 6, 7, 8, 102}, {101, 102}}, {1, 0, 1}};
  const Batcher batcher(std::move(data), options(8, 0), kPad);
  Batch batch;
  batcher.make_batch(std::vector<int64_t>{2, 0, 1}, batch);
  EXPECT_EQ(batch.inputs.batch, 3);
  EXPECT_EQ(batch.inputs.seq_len, 5);
  EXPECT_EQ(batch.inputs.input_ids, (std::vector<int64_t>{101, 102, 0, 0, 0,  //
                                                          101, 5, 102, 0, 0,  //
                                                          101, 6, 7, 8, 102}));
  EXPECT_EQ(batch.inputs.attention_mask, (std::vector<int64_t>{1, 1, 0, 0, 0,  //
                                                               1, 1, 1, 0, 0,  //
                                                               1, 1, 1, 1, 1}));
  EXPECT_EQ(batch.labels, (std::vector<int64_t>{1, 1, 0}));
  EXPECT_EQ(batch.indices, (std::vector<int64_t>{2, 0, 1}));
}

TEST(Batcher, MaxLengthPaddingPadsEveryBatchToMaxLength) {
  const Batcher batcher(synthetic(10, 5), options(4, 0, "max_length"), kPad);
  Batch batch;
  batcher.make_batch(std::vector<int64_t>{0, 1}, batch);
  EXPECT_EQ(batch.inputs.seq_len, 16);
  EXPECT_EQ(batch.inputs.input_ids.size(), 32u);
  const PaddingStats stats = batcher.padding_stats(batcher.eval_plan(EvalOrder::input));
  EXPECT_EQ(stats.padded_tokens, 10 * 16);
  int64_t real = 0;
  for (const auto& ids : batcher.data().ids) real += static_cast<int64_t>(ids.size());
  EXPECT_EQ(stats.real_tokens, real);
}

TEST(Batcher, TrainPlanIsAPermutationFixedBySeedAndEpoch) {
  for (const int window : {0, 3}) {
    const Batcher batcher(synthetic(103, 9), options(8, window), kPad);
    const BatchPlan plan = batcher.train_plan(7, 1);
    EXPECT_EQ(plan.size(), 13u);  // 12 full batches and one of 7
    std::vector<int64_t> rows = flatten(plan);
    EXPECT_NE(rows, flatten(batcher.eval_plan(EvalOrder::input)));  // actually shuffled
    std::sort(rows.begin(), rows.end());
    std::vector<int64_t> all(103);
    std::iota(all.begin(), all.end(), 0);
    EXPECT_EQ(rows, all);  // every row exactly once
    EXPECT_EQ(batcher.train_plan(7, 1), plan);
    EXPECT_NE(batcher.train_plan(7, 2), plan);
    EXPECT_NE(batcher.train_plan(8, 1), plan);
  }
}

// Pins the generator and the Fisher–Yates loop: a change in either (or a platform whose
// std::mt19937_64 differs, which the standard forbids) changes every training run.
TEST(Shuffle, OrderIsPinned) {
  auto rng = epoch_rng(42, 0);
  std::vector<int> items(10);
  std::iota(items.begin(), items.end(), 0);
  shuffle(std::span(items), rng);
  EXPECT_EQ(items, (std::vector<int>{2, 0, 4, 7, 8, 3, 5, 1, 9, 6}));
}

TEST(Shuffle, UniformBelowCoversTheRangeAndNothingElse) {
  auto rng = epoch_rng(1, 0);
  std::vector<int> counts(6, 0);
  for (int i = 0; i < 6000; ++i) ++counts.at(uniform_below(rng, 6));
  for (const int c : counts) EXPECT_NEAR(c, 1000, 150);
}

TEST(Batcher, BucketingGroupsSimilarLengthsAndPadsLess) {
  const Batcher plain(synthetic(640, 13), options(16, 0), kPad);
  const Batcher bucketed(synthetic(640, 13), options(16, 10), kPad);
  const BatchPlan plan = bucketed.train_plan(3, 0);
  const auto& ids = bucketed.data().ids;
  for (const auto& batch : plan) {
    const auto [lo, hi] =
        std::minmax_element(batch.begin(), batch.end(),
                            [&](int64_t a, int64_t b) { return ids[a].size() < ids[b].size(); });
    // A window of 160 rows holds about 12 rows of each of the 13 lengths, so a sorted batch of 16
    // spans two or three adjacent lengths; unbucketed batches span nearly all 13.
    EXPECT_LE(ids[*hi].size() - ids[*lo].size(), 2u);
  }
  const double with = bucketed.padding_stats(plan).efficiency();
  const double without = plain.padding_stats(plain.train_plan(3, 0)).efficiency();
  EXPECT_GT(with, 0.9);
  EXPECT_LT(without, 0.7);
  // Batches are shuffled after bucketing: the served lengths are not sorted.
  std::vector<size_t> first_lengths;
  for (const auto& batch : plan) first_lengths.push_back(ids[batch[0]].size());
  EXPECT_FALSE(std::is_sorted(first_lengths.begin(), first_lengths.end()));
}

TEST(Batcher, EvalPlanKeepsInputOrderOrSortsAndRestores) {
  const Batcher batcher(synthetic(21, 6), options(4, 5), kPad);
  std::vector<int64_t> all(21);
  std::iota(all.begin(), all.end(), 0);
  EXPECT_EQ(flatten(batcher.eval_plan(EvalOrder::input)), all);

  const BatchPlan sorted = batcher.eval_plan(EvalOrder::by_length);
  const auto rows = flatten(sorted);
  EXPECT_NE(rows, all);
  const auto& ids = batcher.data().ids;
  EXPECT_TRUE(std::is_sorted(rows.begin(), rows.end(),
                             [&](int64_t a, int64_t b) { return ids[a].size() < ids[b].size(); }));
  // Scatter each batch's labels back through Batch::indices: the input order comes back.
  std::vector<int64_t> restored(21, -1);
  Batch batch;
  for (const auto& b : sorted) {
    batcher.make_batch(b, batch);
    for (size_t i = 0; i < batch.indices.size(); ++i) restored[batch.indices[i]] = batch.labels[i];
  }
  EXPECT_EQ(restored, batcher.data().labels);
}

TEST(Batcher, PaddingStatsCountsRealAndPaddedTokens) {
  TokenizedSplit data{{{1, 2}, {1, 2, 3, 4}, {1, 2, 3}}, {0, 1, 0}};
  const Batcher batcher(std::move(data), options(2, 0), kPad);
  const PaddingStats stats = batcher.padding_stats(batcher.eval_plan(EvalOrder::input));
  EXPECT_EQ(stats.real_tokens, 9);
  EXPECT_EQ(stats.padded_tokens, 2 * 4 + 1 * 3);
  EXPECT_DOUBLE_EQ(stats.efficiency(), 9.0 / 11.0);
  EXPECT_EQ(PaddingStats{}.efficiency(), 0.0);
}

TEST(Batcher, RejectsBadOptionsAndData) {
  EXPECT_THROW(Batcher(synthetic(4, 3), options(0, 0), kPad), UsageError);
  EXPECT_THROW(Batcher(synthetic(4, 3), options(4, -1), kPad), UsageError);
  EXPECT_THROW(Batcher(synthetic(4, 3), options(4, 0, "shortest"), kPad), UsageError);
  try {
    Batcher(synthetic(4, 30), options(4, 0), kPad);
    FAIL() << "expected a throw";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(),
                 "batcher: row 2 has 17 tokens, more than data.max_length=16 (the tokenizer "
                 "should have truncated it)");
  }
  TokenizedSplit mismatched{{{1}}, {0, 1}};
  EXPECT_THROW(Batcher(std::move(mismatched), options(4, 0), kPad), Error);
}

}  // namespace
}  // namespace cola::data

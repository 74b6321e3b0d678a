// Stats: nearest-rank percentiles, word counts, label balance and the printed block.
#include "data/stats.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace cola::data {
namespace {

TEST(Stats, NearestRankPercentiles) {
  const std::vector<int64_t> values = {9, 1, 5, 3, 7, 2, 8, 4, 6, 10};  // 1..10 shuffled
  EXPECT_EQ(percentile(values, 50), 5);
  EXPECT_EQ(percentile(values, 90), 9);
  EXPECT_EQ(percentile(values, 99), 10);
  EXPECT_EQ(percentile(values, 100), 10);
  EXPECT_EQ(percentile(values, 1), 1);
  EXPECT_EQ(percentile(std::vector<int64_t>{}, 50), 0);
}

TEST(Stats, CountsWhitespaceSeparatedWords) {
  EXPECT_EQ(count_words("The dog  barked ."), 4);
  EXPECT_EQ(count_words("  leading\tand trailing  "), 3);
  EXPECT_EQ(count_words(""), 0);
}

TEST(Stats, ComputesAndFormatsASplit) {
  Split split;
  for (int i = 0; i < 4; ++i) split.examples.push_back({"s", i == 0 ? 0 : 1, i + 1});
  split.skipped = 2;
  const std::vector<int64_t> lengths = {4, 6, 5, 12};
  const SplitStats stats = compute_stats(split, lengths, 2);
  EXPECT_EQ(stats.rows, 4);
  EXPECT_EQ(stats.label_counts, (std::vector<int64_t>{1, 3}));
  EXPECT_EQ(stats.p50, 5);
  EXPECT_EQ(stats.p90, 12);
  EXPECT_EQ(stats.max, 12);
  EXPECT_EQ(format_stats("train (t.tsv)", stats, {"unacceptable", "acceptable"}, "tokens"),
            "train (t.tsv)\n"
            "  rows     4 (2 bad rows skipped)\n"
            "  labels   0 unacceptable: 1 (25.0%), 1 acceptable: 3 (75.0%)\n"
            "  length   p50 5, p90 12, p99 12, max 12 (tokens)\n");
  EXPECT_THROW(compute_stats(split, std::vector<int64_t>{1}, 2), Error);
}

}  // namespace
}  // namespace cola::data

// The real CoLA files in ../shared: row counts and label balance as published, and the padding a
// CoLA epoch costs with and without length bucketing (BERT uncased token ids from the tokenizer
// goldens, which cover every training sentence in file order).
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "data/batcher.h"
#include "data/reader.h"
#include "support/shared_data.h"

namespace cola::data {
namespace {

std::array<int64_t, 2> label_counts(const Split& split) {
  std::array<int64_t, 2> counts{};
  for (const auto& e : split.examples) ++counts.at(static_cast<size_t>(e.label));
  return counts;
}

TEST(Cola, RowCountsAndLabelBalanceMatchTheRelease) {
  COLA_SHARED_PATH_OR_SKIP(train_path, "data/cola/raw/in_domain_train.tsv");
  COLA_SHARED_PATH_OR_SKIP(dev_path, "data/cola/raw/in_domain_dev.tsv");
  const Split train = read_split(train_path, {});
  const Split dev = read_split(dev_path, {});
  EXPECT_EQ(train.examples.size(), 8551u);
  EXPECT_EQ(dev.examples.size(), 527u);
  EXPECT_EQ(label_counts(train), (std::array<int64_t, 2>{2528, 6023}));
  EXPECT_EQ(label_counts(dev), (std::array<int64_t, 2>{162, 365}));
  EXPECT_EQ(train.examples.front().sentence,
            "Our friends won't buy this analysis, let alone the next one we propose.");
  EXPECT_EQ(train.examples.back().line, 8551);
}

// The training sentences' ids from the golden file, checked against the TSV's sentences.
TokenizedSplit tokenized_train(const Split& train, const std::filesystem::path& golden) {
  TokenizedSplit data;
  std::ifstream in(golden);
  std::string line;
  for (const auto& example : train.examples) {
    EXPECT_TRUE(std::getline(in, line));
    const auto row = nlohmann::json::parse(line);
    EXPECT_EQ(row.at("text").get<std::string>(), example.sentence);
    data.ids.push_back(row.at("ids").get<std::vector<int64_t>>());
    data.labels.push_back(example.label);
  }
  return data;
}

TEST(Cola, BucketingMakesPaddingAlmostFree) {
  COLA_SHARED_PATH_OR_SKIP(train_path, "data/cola/raw/in_domain_train.tsv");
  COLA_SHARED_PATH_OR_SKIP(golden, "golden/tokenizer/bert-base-uncased.jsonl");
  const Split train = read_split(train_path, {});
  const TokenizedSplit data = tokenized_train(train, golden);
  auto efficiency = [&](const std::string& padding, int bucket_window) {
    config::DataConfig cfg;  // batch_size 64, max_length 128
    cfg.padding = padding;
    cfg.bucket_window = bucket_window;
    const Batcher batcher(data, cfg, 0);
    return batcher.padding_stats(batcher.train_plan(42, 0)).efficiency();
  };
  const double pad_to_128 = efficiency("max_length", 0);
  const double longest = efficiency("longest", 0);
  const double bucketed = efficiency("longest", 50);
  std::printf(
      "CoLA train padding efficiency: pad-to-128 %.1f%%, longest %.1f%%, "
      "longest+bucketing(50) %.1f%%\n",
      100 * pad_to_128, 100 * longest, 100 * bucketed);
  EXPECT_GE(bucketed, 0.95);
  EXPECT_LT(pad_to_128, 0.15);  // CoLA sentences average ~11 tokens out of 128
  EXPECT_GT(longest, pad_to_128);
  EXPECT_GT(bucketed, longest);
}

}  // namespace
}  // namespace cola::data

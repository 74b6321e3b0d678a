// The embedded sample dataset (data/sample): sizes, labels, balance, no duplicates or overlap,
// and none of CoLA's sentences.
#include <gtest/gtest.h>

#include <set>

#include "core/file.h"
#include "data/reader.h"
#include "support/shared_data.h"

namespace cola::data {
namespace {

Split read_sample(const std::string& file) {
  config::DataConfig cfg;
  cfg.format = "cola_tsv";  // the sample must be in CoLA's own layout
  return read_split(test::source_dir() / "data/sample" / file, cfg);
}

std::set<std::string> sentences(const Split& split) {
  std::set<std::string> out;
  for (const auto& e : split.examples) out.insert(e.sentence);
  return out;
}

TEST(Sample, HasTheDocumentedSizesAndBalance) {
  // data/sample/README.md states these numbers; update both together.
  const Split train = read_sample("train.tsv");
  const Split dev = read_sample("dev.tsv");
  ASSERT_EQ(train.examples.size(), 8000u);
  ASSERT_EQ(dev.examples.size(), 500u);
  for (const Split* split : {&train, &dev}) {
    int64_t acceptable = 0;
    for (const auto& e : split->examples) acceptable += e.label;
    EXPECT_EQ(2 * acceptable, static_cast<int64_t>(split->examples.size()))
        << split->path << ": minimal pairs, one acceptable and one unacceptable";
  }
}

TEST(Sample, SentencesAreDistinctAndSplitsDoNotOverlap) {
  const Split train = read_sample("train.tsv");
  const Split dev = read_sample("dev.tsv");
  const auto train_set = sentences(train), dev_set = sentences(dev);
  EXPECT_EQ(train_set.size(), train.examples.size());
  EXPECT_EQ(dev_set.size(), dev.examples.size());
  for (const auto& s : dev_set) EXPECT_EQ(train_set.count(s), 0u) << s;
}

TEST(Sample, RowsUseTheSampleSourceAndAnnotation) {
  const std::string content = read_file(test::source_dir() / "data/sample/train.tsv");
  const Split train = read_sample("train.tsv");
  // Column 1 is "cola-sample"; column 3 is "*" exactly for label 0.
  size_t line_start = 0;
  for (const auto& e : train.examples) {
    const size_t end = content.find('\n', line_start);
    const std::string line = content.substr(line_start, end - line_start);
    line_start = end + 1;
    EXPECT_EQ(line.rfind(e.label == 1 ? "cola-sample\t1\t\t" : "cola-sample\t0\t*\t", 0), 0u)
        << line;
  }
}

TEST(Sample, SharesNoSentenceWithCola) {
  COLA_SHARED_PATH_OR_SKIP(train_path, "data/cola/raw/in_domain_train.tsv");
  COLA_SHARED_PATH_OR_SKIP(dev_path, "data/cola/raw/in_domain_dev.tsv");
  std::set<std::string> cola = sentences(read_split(train_path, {}));
  for (const auto& s : sentences(read_split(dev_path, {}))) cola.insert(s);
  for (const char* file : {"train.tsv", "dev.tsv"}) {
    for (const auto& e : read_sample(file).examples)
      EXPECT_EQ(cola.count(e.sentence), 0u) << e.sentence;
  }
}

}  // namespace
}  // namespace cola::data

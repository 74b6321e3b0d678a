// Every line of ../shared/golden/tokenizer/bert-base-uncased.jsonl (ids and tokens from an
// independent Hugging Face-compatible implementation; provenance in the README next to it).
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/shared_data.h"
#include "text/tokenizer.h"

namespace cola::text {
namespace {

// The first index where a and b differ (the shorter length if one is a prefix of the other).
template <class T>
size_t first_difference(const std::vector<T>& a, const std::vector<T>& b) {
  size_t i = 0;
  while (i < a.size() && i < b.size() && a[i] == b[i]) ++i;
  return i;
}

TEST(GoldenTest, BertBaseUncasedMatchesEveryLine) {
  COLA_SHARED_PATH_OR_SKIP(golden, "golden/tokenizer/bert-base-uncased.jsonl");
  COLA_SHARED_PATH_OR_SKIP(vocab, "data/vocab/bert-base-uncased-vocab.txt");
  // README: lowercase, strip accents, no truncation below 512, no padding.
  const Tokenizer tokenizer = Tokenizer::from_file(vocab);
  std::ifstream in(golden);
  ASSERT_TRUE(in) << golden;
  std::string line;
  size_t lines = 0;
  size_t mismatches = 0;
  Encoding enc;
  while (std::getline(in, line)) {
    ++lines;
    const auto j = nlohmann::json::parse(line);
    const auto text = j.at("text").get<std::string>();
    const auto ids = j.at("ids").get<std::vector<int64_t>>();
    const auto tokens = j.at("tokens").get<std::vector<std::string>>();
    tokenizer.encode(text, EncodeOptions{.max_length = 512, .with_tokens = true}, enc);
    if (enc.ids == ids && enc.tokens == tokens) continue;
    if (++mismatches > 20) continue;  // enough to diagnose; the count below says how many
    const size_t at = first_difference(enc.ids, ids);
    ADD_FAILURE() << "line " << lines << ": " << nlohmann::json(text).dump()
                  << "\n  first difference at position " << at << ": got "
                  << (at < enc.tokens.size() ? enc.tokens[at] : "<end>") << " expected "
                  << (at < tokens.size() ? tokens[at] : "<end>");
  }
  EXPECT_EQ(lines, 9116u);
  EXPECT_EQ(mismatches, 0u);
}

}  // namespace
}  // namespace cola::text

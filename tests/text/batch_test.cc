#include "text/batch.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <vector>

#include "core/error.h"

namespace cola::text {
namespace {

using ::testing::Each;
using ::testing::ElementsAre;

class PadBatchTest : public ::testing::Test {
 protected:
  // Three rows of lengths 3, 5 and 2, with [CLS]=101 and [SEP]=102.
  std::vector<std::vector<int64_t>> rows_ = {{101, 7, 102}, {101, 7, 8, 9, 102}, {101, 102}};
  std::vector<std::span<const int64_t>> spans_ = {rows_[0], rows_[1], rows_[2]};
  PaddedBatch out_;
};

TEST_F(PadBatchTest, Longest) {
  pad_batch(spans_, Padding::longest, 128, 0, out_);
  EXPECT_EQ(out_.batch, 3);
  EXPECT_EQ(out_.seq_len, 5);
  EXPECT_THAT(out_.input_ids, ElementsAre(101, 7, 102, 0, 0, 101, 7, 8, 9, 102, 101, 102, 0, 0, 0));
  EXPECT_THAT(out_.attention_mask, ElementsAre(1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0));
}

TEST_F(PadBatchTest, MultipleOf8RoundsUpButNotPastMaxLength) {
  pad_batch(spans_, Padding::multiple_of_8, 128, -1, out_);
  EXPECT_EQ(out_.seq_len, 8);
  ASSERT_EQ(out_.input_ids.size(), 24u);
  EXPECT_EQ(out_.input_ids[8 + 4], 102);
  EXPECT_EQ(out_.input_ids[8 + 5], -1);  // pad_id is used as given
  EXPECT_EQ(out_.attention_mask[8 + 5], 0);
  pad_batch(spans_, Padding::multiple_of_8, 6, 0, out_);
  EXPECT_EQ(out_.seq_len, 6);
}

TEST_F(PadBatchTest, MaxLengthAlwaysPadsToIt) {
  pad_batch(spans_, Padding::max_length, 128, 0, out_);
  EXPECT_EQ(out_.seq_len, 128);
  EXPECT_EQ(out_.input_ids.size(), 3u * 128u);
  EXPECT_EQ(std::count(out_.attention_mask.begin(), out_.attention_mask.end(), 1), 3 + 5 + 2);
}

TEST_F(PadBatchTest, ReusesBuffersAcrossCalls) {
  pad_batch(spans_, Padding::max_length, 128, 0, out_);
  const auto* data = out_.input_ids.data();
  pad_batch(std::span(spans_).first(1), Padding::longest, 128, 0, out_);
  EXPECT_EQ(out_.input_ids.data(), data);  // shrinking keeps the allocation
  EXPECT_THAT(out_.input_ids, ElementsAre(101, 7, 102));
  EXPECT_THAT(out_.attention_mask, Each(1));
}

TEST_F(PadBatchTest, EmptyBatch) {
  pad_batch({}, Padding::longest, 128, 0, out_);
  EXPECT_EQ(out_.batch, 0);
  EXPECT_EQ(out_.seq_len, 0);
  EXPECT_TRUE(out_.input_ids.empty());
}

TEST_F(PadBatchTest, RowLongerThanMaxLengthIsAnError) {
  try {
    pad_batch(spans_, Padding::longest, 4, 0, out_);
    FAIL() << "expected cola::Error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "pad_batch: row 1 has 5 ids, more than max_length 4");
  }
}

TEST(ParsePaddingTest, NamesRoundTripAndErrorsListValidValues) {
  for (const Padding p : {Padding::longest, Padding::multiple_of_8, Padding::max_length}) {
    EXPECT_EQ(parse_padding(padding_name(p)), p);
  }
  try {
    parse_padding("longest8");
    FAIL() << "expected cola::UsageError";
  } catch (const UsageError& e) {
    EXPECT_STREQ(e.what(),
                 "unknown padding 'longest8' (valid: longest, multiple_of_8, max_length)");
  }
}

}  // namespace
}  // namespace cola::text

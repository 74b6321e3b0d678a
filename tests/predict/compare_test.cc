// predict/compare.h: the figures that decide whether an int8 file may ship.
#include "predict/compare.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "core/error.h"
#include "support/error_message.h"

namespace cola::predict {
namespace {

TEST(CompareLogits, AgreementProbabilitiesAndCosine) {
  // Row 0 agrees (class 0), row 1 flips from class 1 to class 0.
  const std::vector<float> reference = {2.0F, 0.0F, 0.0F, 0.5F};
  const std::vector<float> candidate = {2.0F, 0.5F, 0.5F, 0.0F};
  const auto c = compare_logits(reference, candidate, 2);
  EXPECT_EQ(c.rows, 2);
  EXPECT_EQ(c.same_argmax, 1);
  EXPECT_DOUBLE_EQ(c.agreement(), 0.5);
  EXPECT_DOUBLE_EQ(c.max_abs_logit_diff, 0.5);
  // Row 1's probabilities swap: sigmoid(0.5) - sigmoid(-0.5).
  EXPECT_NEAR(c.max_abs_prob_diff, 1 / (1 + std::exp(-0.5)) - 1 / (1 + std::exp(0.5)), 1e-6);
  EXPECT_NEAR(c.cosine, 4.0 / (std::sqrt(4.25) * std::sqrt(4.5)), 1e-9);

  const auto same = compare_logits(reference, reference, 2);
  EXPECT_DOUBLE_EQ(same.agreement(), 1.0);
  EXPECT_DOUBLE_EQ(same.max_abs_prob_diff, 0.0);
  EXPECT_NEAR(same.cosine, 1.0, 1e-12);
  const std::vector<float> zeros(4, 0.0F);
  EXPECT_DOUBLE_EQ(compare_logits(zeros, zeros, 2).cosine, 1.0) << "two zero vectors are equal";
  EXPECT_DOUBLE_EQ(compare_logits(reference, zeros, 2).cosine, 0.0);
}

TEST(CompareLogits, ANonFiniteLogitIsTheWorstCaseNotAgreement) {
  const std::vector<float> reference = {1.0F, 0.0F};
  const std::vector<float> nan = {std::numeric_limits<float>::quiet_NaN(), 0.0F};
  for (const auto& c : {compare_logits(reference, nan, 2), compare_logits(nan, reference, 2)}) {
    EXPECT_TRUE(std::isinf(c.max_abs_logit_diff));
    EXPECT_TRUE(std::isinf(c.max_abs_prob_diff));
    EXPECT_DOUBLE_EQ(c.cosine, 0.0);
  }
}

TEST(CompareLogits, MergeKeepsTheWorst) {
  LogitComparison a = compare_logits(std::vector<float>{1, 0}, std::vector<float>{1, 0}, 2);
  a.merge(compare_logits(std::vector<float>{0, 1}, std::vector<float>{1, 0}, 2));
  EXPECT_EQ(a.rows, 2);
  EXPECT_EQ(a.same_argmax, 1);
  EXPECT_DOUBLE_EQ(a.max_abs_logit_diff, 1.0);
  EXPECT_NEAR(a.cosine, 0.0, 1e-12);
}

TEST(CompareLogits, MismatchedSizesAreAnError) {
  EXPECT_THAT(test::error_message<Error>([] {
                compare_logits(std::vector<float>{1, 2}, std::vector<float>{1, 2, 3, 4}, 2);
              }),
              ::testing::HasSubstr("cannot compare 2 logits with 4"));
}

}  // namespace
}  // namespace cola::predict

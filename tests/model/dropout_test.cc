#include "model/dropout.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>
#include <gtest/gtest.h>
#include <torch/types.h>

#include <cmath>

#include "core/error.h"

namespace cola::model {
namespace {

TEST(Dropout, MaskHasTheRightValuesAndKeepRate) {
  const double p = 0.1;
  const int64_t n = 1'000'003;  // odd: the last element has no pair partner
  const auto mask = dropout_mask(torch::empty({n}), p, 12345);
  const auto kept = mask.ne(0);
  // Every kept element is scaled by 1/(1-p), so the expectation of x is unchanged.
  EXPECT_TRUE(
      torch::all(mask.masked_select(kept).eq(static_cast<float>(1.0 / (1.0 - p)))).item<bool>());
  const double rate = kept.to(torch::kDouble).mean().item<double>();
  const double sigma = std::sqrt(p * (1 - p) / static_cast<double>(n));
  EXPECT_NEAR(rate, 1 - p, 5 * sigma);
  // Neighbours share one hash; their coins must still be independent.
  const auto even = kept.slice(0, 0, n - 1, 2).to(torch::kDouble);
  const auto odd = kept.slice(0, 1, n, 2).to(torch::kDouble);
  const double both = (even * odd).mean().item<double>();
  EXPECT_NEAR(both, (1 - p) * (1 - p), 10 * sigma);
}

TEST(Dropout, MaskDependsOnTheSeedOnlyNotOnThreads) {
  const auto like = torch::empty({64, 12, 128});
  const int threads = at::get_num_threads();
  at::set_num_threads(1);
  const auto one = dropout_mask(like, 0.1, 7);
  at::set_num_threads(2);
  const auto two = dropout_mask(like, 0.1, 7);
  at::set_num_threads(threads);
  EXPECT_TRUE(torch::equal(one, two));
  EXPECT_FALSE(torch::equal(one, dropout_mask(like, 0.1, 8)));
}

// A data-parallel replica holding rows [r0, r1) of a batch draws the seeds the whole-batch pass
// draws and gets exactly those rows of its masks, at any offset parity.
TEST(Dropout, ABatchSliceGetsItsRowsOfTheWholeBatchsMasks) {
  const auto x = torch::ones({5, 3, 7});  // 21 elements a row: odd offsets too
  torch::manual_seed(11);
  const auto seeds = at::detail::getDefaultCPUGenerator().clone();
  const auto whole_1 = fast_dropout(x, 0.3, true);
  const auto whole_2 = fast_dropout(x, 0.3, true);
  for (int64_t first : {0, 1, 2, 4}) {
    const BatchSlice slice(seeds.clone(), first);
    const auto rows = x.narrow(0, first, 5 - first);
    EXPECT_TRUE(torch::equal(fast_dropout(rows, 0.3, true), whole_1.narrow(0, first, 5 - first)))
        << first;
    EXPECT_TRUE(torch::equal(fast_dropout(rows, 0.3, true), whole_2.narrow(0, first, 5 - first)))
        << first;
  }
  // Outside a slice, the default generator is used again.
  torch::manual_seed(11);
  EXPECT_TRUE(torch::equal(fast_dropout(x, 0.3, true), whole_1));
}

TEST(Dropout, FollowsTorchManualSeedAndDrawsAFreshMaskEachCall) {
  const auto x = torch::ones({1000});
  torch::manual_seed(5);
  const auto a = fast_dropout(x, 0.5, true);
  const auto b = fast_dropout(x, 0.5, true);
  torch::manual_seed(5);
  EXPECT_TRUE(torch::equal(a, fast_dropout(x, 0.5, true)));
  EXPECT_FALSE(torch::equal(a, b));
}

TEST(Dropout, GradientIsTheMask) {
  const auto x = torch::randn({300}).requires_grad_(true);
  const auto y = fast_dropout(x, 0.3, true);
  y.sum().backward();
  // Where x survived, y = x / 0.7 and dy/dx = 1 / 0.7; elsewhere both are 0.
  const auto expected = y.detach().ne(0).to(torch::kFloat) / 0.7;
  EXPECT_TRUE(torch::allclose(x.grad(), expected));
}

TEST(Dropout, EvalZeroOneAndInvalidProbabilities) {
  const auto x = torch::randn({10});
  EXPECT_TRUE(fast_dropout(x, 0.5, false).is_same(x));
  EXPECT_TRUE(fast_dropout(x, 0.0, true).is_same(x));
  EXPECT_TRUE(torch::equal(fast_dropout(x, 1.0, true), torch::zeros({10})));
  EXPECT_THROW(fast_dropout(x, 1.5, true), Error);
  EXPECT_THROW(fast_dropout(x, std::nan(""), true), Error);
}

}  // namespace
}  // namespace cola::model

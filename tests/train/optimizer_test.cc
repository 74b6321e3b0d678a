// FusedAdamW against LibTorch's AdamW and clip_grad_norm_, which it replaces.
#include "train/optimizer.h"

#include <gtest/gtest.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/utils/clip_grad.h>
#include <torch/serialize.h>

#include <sstream>

#include "core/error.h"
#include "train/adamw_kernel.h"

namespace cola::train {
namespace {

torch::optim::AdamWOptions options() {
  return torch::optim::AdamWOptions(1e-2).betas({0.9, 0.999}).eps(1e-8).weight_decay(0.1);
}

std::vector<torch::Tensor> clones(const std::vector<torch::Tensor>& ps) {
  std::vector<torch::Tensor> out;
  for (const auto& p : ps) out.push_back(p.detach().clone().requires_grad_(true));
  return out;
}

void set_grads(const std::vector<torch::Tensor>& ps, const std::vector<torch::Tensor>& grads) {
  for (size_t i = 0; i < ps.size(); ++i) ps[i].mutable_grad() = grads[i].clone();
}

double max_diff(const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b) {
  double d = 0;
  for (size_t i = 0; i < a.size(); ++i) d = std::max(d, (a[i] - b[i]).abs().max().item<double>());
  return d;
}

TEST(FusedAdamW, MatchesLibTorchAdamWWithClipping) {
  torch::manual_seed(0);
  // Sizes that are not multiples of the vector width or the parallel grain.
  const std::vector<torch::Tensor> init = {torch::randn({70001}), torch::randn({13, 7}),
                                           torch::randn({3})};
  auto ref = clones(init);
  auto ours = clones(init);
  torch::optim::AdamW reference(ref, options());
  FusedAdamW fused(ours, options());
  for (int step = 0; step < 6; ++step) {
    std::vector<torch::Tensor> grads;
    for (const auto& p : init) grads.push_back(torch::randn(p.sizes()) * (step + 1));
    set_grads(ref, grads);
    set_grads(ours, grads);
    const double expected_norm = torch::nn::utils::clip_grad_norm_(ref, 1.0);
    const double norm = grad_norm(ours);
    EXPECT_NEAR(norm, expected_norm, 1e-4 * expected_norm);
    reference.step();
    fused.step_scaled(clip_factor(norm, 1.0));
  }
  EXPECT_LT(max_diff(ref, ours), 1e-6);
}

// Word embeddings with sparse=true: rows outside the batch get no gradient, but dense AdamW still
// decays them and moves them by their moments. Repeated ids must be summed.
TEST(FusedAdamW, SparseGradientUpdatesEveryRowLikeDense) {
  torch::manual_seed(1);
  torch::nn::Embedding dense(torch::nn::EmbeddingOptions(50, 8).padding_idx(0));
  torch::nn::Embedding sparse(torch::nn::EmbeddingOptions(50, 8).padding_idx(0).sparse(true));
  {
    const torch::NoGradGuard no_grad;
    sparse->weight.copy_(dense->weight);
  }
  FusedAdamW a({dense->weight}, options());
  FusedAdamW b({sparse->weight}, options());
  for (int step = 0; step < 4; ++step) {
    // Different rows each step, so some rows have momentum but no gradient; row 7 twice.
    const auto ids = torch::tensor({7, 7, 0, 3 + step, 40 - step}, torch::kLong);
    const auto target = torch::randn({5, 8});
    a.clear_grad();
    b.clear_grad();
    (dense(ids) * target).sum().backward();
    (sparse(ids) * target).sum().backward();
    ASSERT_TRUE(sparse->weight.grad().is_sparse());
    EXPECT_NEAR(grad_norm({sparse->weight}), grad_norm({dense->weight}), 1e-5);
    a.step_scaled(0.5);
    b.step_scaled(0.5);
  }
  EXPECT_LT((dense->weight - sparse->weight).abs().max().item<double>(), 1e-6);
}

// optimizer.pt stays LibTorch's format: LibTorch's AdamW loads what FusedAdamW saved and takes the
// same next step.
TEST(FusedAdamW, StateIsLibTorchAdamWState) {
  torch::manual_seed(2);
  const std::vector<torch::Tensor> init = {torch::randn({100}), torch::randn({4, 5})};
  auto ours = clones(init);
  FusedAdamW fused(ours, options());
  for (int step = 0; step < 3; ++step) {
    set_grads(ours, {torch::randn({100}), torch::randn({4, 5})});
    fused.step();
  }
  std::stringstream saved;
  torch::save(fused, saved);
  auto ref = clones(ours);
  torch::optim::AdamW reference(ref, options());
  torch::load(reference, saved);
  const std::vector<torch::Tensor> grads = {torch::randn({100}), torch::randn({4, 5})};
  set_grads(ours, grads);
  set_grads(ref, grads);
  fused.step();
  reference.step();
  EXPECT_LT(max_diff(ref, ours), 1e-6);
}

TEST(FusedAdamW, SkipsParametersWithoutGradientAndRejectsAmsgrad) {
  auto p = torch::ones({3}).requires_grad_(true);
  FusedAdamW fused({p}, options());
  fused.step();
  EXPECT_TRUE(torch::equal(p, torch::ones({3})));
  FusedAdamW ams({p}, options().amsgrad(true));
  p.mutable_grad() = torch::ones({3});
  try {
    ams.step();
    FAIL() << "amsgrad was accepted";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "FusedAdamW: amsgrad is not supported");
  }
}

TEST(AdamWKernel, SumOfSquaresIsExactOnSmallIntegers) {
  std::vector<float> x(1003);
  double expected = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    x[i] = static_cast<float>(i % 17) - 8.0F;
    expected += static_cast<double>(x[i]) * static_cast<double>(x[i]);
  }
  EXPECT_EQ(sum_of_squares(x.data(), static_cast<int64_t>(x.size())), expected);
}

TEST(AdamWKernel, ClipFactorIsClipGradNormsCoefficient) {
  EXPECT_DOUBLE_EQ(clip_factor(0.5, 1.0), 1.0);
  EXPECT_NEAR(clip_factor(4.0, 1.0), 0.25, 1e-6);
}

}  // namespace
}  // namespace cola::train

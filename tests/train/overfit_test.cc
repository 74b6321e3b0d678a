// The model and the optimizer can learn: one batch is memorised within a step cap; and a step split
// over data-parallel replicas is the single-thread step.
#include <gtest/gtest.h>
#include <torch/nn/functional/loss.h>

#include <cmath>
#include <limits>

#include "config/model_spec.h"
#include "model/bert.h"
#include "train/optimizer.h"
#include "train/train_step.h"

namespace cola::train {
namespace {

TEST(Overfit, OneBatchReachesFullAccuracyWithin100Steps) {
  torch::manual_seed(0);
  config::ModelConfig mc;
  mc.num_hidden_layers = 2;
  mc.hidden_size = 32;
  mc.num_attention_heads = 2;
  mc.intermediate_size = 64;
  mc.hidden_dropout_prob = mc.attention_probs_dropout_prob = mc.classifier_dropout = 0;
  model::BertForSequenceClassification m(
      config::bert_config(mc, 100, {"unacceptable", "acceptable"}));
  config::TrainingConfig tc;
  tc.lr = 3e-3;
  auto opt = make_adamw(*m, tc);
  const auto ids = torch::randint(5, 100, {16, 12}, torch::kInt64);
  const auto mask = torch::ones({16, 12}, torch::kInt64);
  const auto labels = torch::randint(0, 2, {16}, torch::kInt64);
  double acc = 0;
  int steps = 0;
  for (; steps < 100 && acc < 1.0; ++steps) {
    const auto logits = m->forward(ids, mask);
    const auto loss = torch::nn::functional::cross_entropy(logits, labels);
    opt->zero_grad();
    loss.backward();
    opt->step();
    acc = logits.argmax(-1).eq(labels).to(torch::kFloat).mean().item<double>();
  }
  EXPECT_DOUBLE_EQ(acc, 1.0) << "after " << steps << " steps";
}

// H32, 2 heads, vocab 100: small enough for a step in milliseconds.
spec::BertConfig small_config(int layers) {
  config::ModelConfig mc;
  mc.num_hidden_layers = layers;
  mc.hidden_size = 32;
  mc.num_attention_heads = 2;
  mc.intermediate_size = 64;
  return config::bert_config(mc, 100, {"unacceptable", "acceptable"});
}

// A finite loss whose backward overflows: the step must stop before AdamW's moments take the
// infinity (where it would stay), leaving every weight as it was.
TEST(TrainStep, ANonFiniteGradientNormStopsBeforeTheUpdate) {
  const auto config = small_config(1);
  config::TrainingConfig tc;
  tc.lr = 1e-3;
  const BatchTensors batch{torch::randint(5, 100, {4, 6}, torch::kInt64),
                           torch::ones({4, 6}, torch::kInt64),
                           torch::randint(0, 2, {4}, torch::kInt64)};
  torch::manual_seed(5);
  model::BertForSequenceClassification m(config);
  m->train();
  auto opt = make_adamw(*m, tc);
  m->classifier()->weight.register_hook(
      [](torch::Tensor g) { return g * std::numeric_limits<float>::infinity(); });
  const auto before = m->classifier()->weight.detach().clone();
  for (const double max_grad_norm : {1.0, 0.0}) {  // with and without clipping
    const auto out = train_step(m, *opt, batch, max_grad_norm, nullptr);
    EXPECT_TRUE(std::isfinite(out.loss));
    EXPECT_FALSE(out.finite);
    EXPECT_FALSE(std::isfinite(out.grad_norm));
    EXPECT_TRUE(torch::equal(m->classifier()->weight.detach(), before)) << "no update";
  }
}

// Splitting a batch over replicas on their own threads gives the single-thread step's loss and
// weights, dropout included, up to the order of float additions.
TEST(DataParallel, AStepOverReplicasEqualsTheSingleThreadStep) {
  const auto config = small_config(2);
  config::TrainingConfig tc;
  tc.lr = 1e-3;
  const BatchTensors batch{torch::randint(5, 100, {13, 9}, torch::kInt64),
                           torch::ones({13, 9}, torch::kInt64),
                           torch::randint(0, 2, {13}, torch::kInt64)};
  batch.attention_mask.narrow(1, 6, 3).narrow(0, 0, 5).zero_();  // some padding
  const auto run = [&](int extra) {
    torch::manual_seed(3);
    model::BertForSequenceClassification m(config);
    m->train();
    m->bert()->embeddings()->set_sparse_word_gradient(true);
    auto opt = make_adamw(*m, tc);
    Replicas replicas(m, extra);
    std::vector<double> losses;
    for (int i = 0; i < 3; ++i) {
      losses.push_back(train_step(m, *opt, batch, 1.0, extra > 0 ? &replicas : nullptr).loss);
    }
    std::vector<torch::Tensor> flat;
    for (const auto& p : m->parameters()) flat.push_back(p.detach().flatten());
    return std::make_pair(losses, torch::cat(flat));
  };
  const auto [single_losses, single_weights] = run(0);
  for (int extra : {1, 2}) {
    const auto [losses, weights] = run(extra);
    for (size_t i = 0; i < losses.size(); ++i) EXPECT_NEAR(losses[i], single_losses[i], 1e-5);
    const auto d = (weights - single_weights).abs();
    // Rounding differences reach ~3e-6 after Adam's normalisation; a wrong mask or a lost
    // gradient moves weights by ~lr = 1e-3.
    EXPECT_TRUE(torch::allclose(weights, single_weights, /*rtol=*/0, /*atol=*/2e-5))
        << extra << " replicas: max " << d.max().item<double>() << " at "
        << d.argmax().item<int64_t>() << " of " << d.numel();
  }
}

}  // namespace
}  // namespace cola::train

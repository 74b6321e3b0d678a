// The model and the optimizer can learn: one batch is memorised within a step cap.
#include <gtest/gtest.h>
#include <torch/nn/functional/loss.h>

#include "model/bert.h"
#include "train/optimizer.h"

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
      model::BertConfig::from(mc, 100, {"unacceptable", "acceptable"}));
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

}  // namespace
}  // namespace cola::train

#include "model/bert.h"

#include <torch/types.h>

#include "config/model_spec.h"
#include "core/error.h"
#include "spec/names.h"
#include "support/error_message.h"
#include "support/tiny_config.h"

namespace cola::model {
namespace {

using ::testing::HasSubstr;

TEST(Bert, ParameterNamesAndShapesAreTheNamesTable) {
  const auto config = test::tiny_config();
  torch::manual_seed(0);
  BertForSequenceClassification model(config);
  const auto params = model->named_parameters(/*recurse=*/true);
  const auto specs = spec::names::parameter_specs(config);
  ASSERT_EQ(params.size(), specs.size());
  for (size_t i = 0; i < specs.size(); ++i) {
    EXPECT_EQ(params[i].key(), specs[i].name);
    EXPECT_EQ(params[i].value().sizes().vec(), specs[i].shape) << specs[i].name;
  }
  EXPECT_TRUE(model->named_buffers().is_empty());
}

TEST(Bert, InitialisesLikeHuggingFaceAndIsSeeded) {
  auto config = test::tiny_config();
  config.vocab_size = 400;
  config.pad_token_id = 3;
  torch::manual_seed(42);
  BertForSequenceClassification a(config);
  torch::manual_seed(42);
  BertForSequenceClassification b(config);
  const auto pa = a->named_parameters();
  const auto pb = b->named_parameters();
  for (size_t i = 0; i < pa.size(); ++i) EXPECT_TRUE(torch::equal(pa[i].value(), pb[i].value()));

  const auto word = pa["bert.embeddings.word_embeddings.weight"];
  EXPECT_TRUE(torch::equal(word[3], torch::zeros({16})));  // the padding row
  const double std = word.std().item<double>();
  EXPECT_NEAR(std, 0.02, 0.002);
  EXPECT_TRUE(torch::equal(pa["bert.embeddings.LayerNorm.weight"], torch::ones({16})));
  EXPECT_TRUE(torch::equal(pa["bert.encoder.layer.1.output.LayerNorm.bias"], torch::zeros({16})));
  EXPECT_TRUE(torch::equal(pa["bert.encoder.layer.0.intermediate.dense.bias"], torch::zeros({32})));
  EXPECT_NEAR(pa["bert.encoder.layer.0.output.dense.weight"].std().item<double>(), 0.02, 0.004);
  EXPECT_NEAR(pa["classifier.weight"].std().item<double>(), 0.02, 0.01);
}

TEST(Bert, ForwardShapesModesAndGradients) {
  torch::manual_seed(1);
  BertForSequenceClassification model(test::tiny_config());
  const auto ids = torch::randint(1, 50, {3, 7}, torch::kLong);
  model->train();
  const auto logits = model->forward(ids);
  EXPECT_EQ(logits.sizes(), (std::vector<int64_t>{3, 2}));
  EXPECT_EQ(logits.scalar_type(), torch::kFloat);
  logits.sum().backward();
  const auto grad = model->named_parameters()["bert.embeddings.word_embeddings.weight"].grad();
  EXPECT_TRUE(torch::equal(grad[0], torch::zeros({16})));  // padding_idx gets no gradient
  EXPECT_GT(grad.abs().sum().item<double>(), 0.0);
  EXPECT_FALSE(torch::equal(model->forward(ids), model->forward(ids)));  // dropout is on

  model->eval();
  torch::NoGradGuard no_grad;
  EXPECT_TRUE(torch::equal(model->forward(ids), model->forward(ids)));
  const auto all = model->forward_all(ids);
  EXPECT_EQ(all.layers.size(), 2u);
  EXPECT_TRUE(torch::allclose(all.logits, model->forward(ids), 0.0, 1e-6));
}

// forward() computes the last layer for [CLS] alone; forward_all() computes every position. The
// logits must agree, with padding too (the [CLS] query still attends to every unpadded key).
TEST(Bert, ClsOnlyLastLayerGivesTheFullModelsLogits) {
  torch::manual_seed(3);
  BertForSequenceClassification model(test::tiny_config());
  model->eval();
  torch::NoGradGuard no_grad;
  const auto ids = torch::randint(1, 50, {4, 9}, torch::kLong);
  auto mask = torch::ones({4, 9}, torch::kLong);
  mask.index_put_({1, torch::indexing::Slice(5, torch::indexing::None)}, 0);
  mask.index_put_({3, torch::indexing::Slice(2, torch::indexing::None)}, 0);
  const auto full = model->forward_all(ids, mask);
  const auto fast = model->forward(ids, mask);
  EXPECT_LT((full.logits - fast).abs().max().item<double>(), 1e-6);
  // And it is the [CLS] row of the full last layer, not something else that happens to agree.
  const auto last = model->bert()->encoder()->forward(
      full.embeddings, additive_attention_mask(mask, torch::kFloat), nullptr, true);
  EXPECT_EQ(last.sizes(), (std::vector<int64_t>{4, 1, 16}));
  EXPECT_LT((last.select(1, 0) - full.layers.back().select(1, 0)).abs().max().item<double>(), 1e-6);
}

TEST(Bert, MalformedInputsGiveClearErrors) {
  torch::manual_seed(2);
  BertForSequenceClassification model(test::tiny_config());
  model->eval();
  torch::NoGradGuard no_grad;
  EXPECT_THROW_MSG(model->forward(torch::ones({2, 3})), Error,
                   HasSubstr("input_ids must be Long [batch, seq] with seq >= 1; got Float [2,3]"));
  EXPECT_THROW_MSG(model->forward(torch::ones({1, 30}, torch::kLong)), Error,
                   HasSubstr("a sequence of 30 tokens is longer than max_position_embeddings 24"));
  EXPECT_THROW_MSG(model->forward(torch::ones({2, 3}, torch::kLong), torch::ones({2, 4})), Error,
                   HasSubstr("attention_mask must have the shape of input_ids [2,3]"));
  EXPECT_THROW_MSG(model->forward(torch::full({1, 3}, 77, torch::kLong)), Error,
                   HasSubstr("input_ids holds 77 but the table has 50 rows"));
  EXPECT_THROW_MSG(
      model->forward(torch::ones({1, 3}, torch::kLong), {}, torch::full({1, 3}, 2, torch::kLong)),
      Error, HasSubstr("token_type_ids holds 2 but the table has 2 rows"));
}

TEST(Bert, InvalidConfigIsAUsageError) {
  auto config = test::tiny_config();
  config.hidden_size = 130;
  config.num_attention_heads = 4;
  EXPECT_THROW_MSG(BertForSequenceClassification{config}, UsageError,
                   HasSubstr("hidden_size 130 is not divisible by num_attention_heads 4"));
}

// BertConfig::parameter_count (spec/) is what the LibTorch model allocates, for a config written by
// hand and one made from a run's `model:` group.
TEST(Bert, ParameterCountIsBertConfigs) {
  config::ModelConfig run;
  run.hidden_size = 64;
  run.num_attention_heads = 2;
  run.num_hidden_layers = 2;
  run.intermediate_size = 256;
  for (const auto& c : {test::tiny_config(), config::bert_config(run, 100, {"a", "b", "c"})}) {
    BertForSequenceClassification model(c);
    double n = 0;
    for (const auto& p : model->parameters()) n += static_cast<double>(p.numel());
    EXPECT_DOUBLE_EQ(c.parameter_count(), n);
  }
}

}  // namespace
}  // namespace cola::model

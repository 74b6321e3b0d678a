// How checkpoint names map onto the model's, torch-free: prefixes, bare BertModels, renamed
// LayerNorm parameters, heads, and the errors that name what does not fit.
#include "checkpoint/weight_plan.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/error.h"
#include "support/error_message.h"
#include "support/tiny_config.h"

namespace cola::checkpoint {
namespace {

using cola::test::error_message;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Weights with zero-filled F32 tensors of the given names and shapes.
Weights make_weights(const std::vector<spec::names::ParamSpec>& specs) {
  Weights w;
  w.source = "ckpt.bin";
  for (const auto& s : specs) {
    int64_t n = 1;
    for (const int64_t d : s.shape) n *= d;
    auto file = MappedFile::from_bytes(std::string(static_cast<size_t>(n) * 4, '\0'), "ckpt.bin");
    StoredTensor t{s.name, spec::DType::kF32, s.shape, contiguous_strides(s.shape),
                   0,      file->bytes(),     file,    "ckpt.bin"};
    w.tensors.push_back(std::move(t));
  }
  w.sort_and_check_unique();
  return w;
}

std::vector<spec::names::ParamSpec> renamed(
    std::vector<spec::names::ParamSpec> specs,
    const std::function<std::string(const std::string&)>& f) {
  for (auto& s : specs) s.name = f(s.name);
  return specs;
}

const spec::BertConfig kConfig = test::tiny_config();

TEST(WeightPlan, HuggingFaceNamesMapOneToOne) {
  const auto specs = spec::names::parameter_specs(kConfig);
  const auto w = make_weights(specs);
  const WeightPlan plan = plan_weights(kConfig, w);
  ASSERT_EQ(plan.copies.size(), specs.size());
  EXPECT_EQ(plan.copies.front().param.name, "bert.embeddings.word_embeddings.weight");
  EXPECT_EQ(plan.copies.front().tensor->name, "bert.embeddings.word_embeddings.weight");
  EXPECT_EQ(plan.module_prefix, "");
  EXPECT_TRUE(plan.notes.empty());
}

TEST(WeightPlan, ALightningPrefixIsFoundAndWhatLiesOutsideItIsNoted) {
  auto specs =
      renamed(spec::names::parameter_specs(kConfig), [](const auto& n) { return "bert." + n; });
  specs.push_back({"bert.bert.embeddings.position_ids", {1, 24}});  // a known buffer: dropped
  specs.push_back({"train_acc.total", {1}});                        // another attribute's state
  const Weights w = make_weights(specs);
  const WeightPlan plan = plan_weights(kConfig, w);
  EXPECT_EQ(plan.module_prefix, "bert.");
  EXPECT_EQ(plan.copies.size(), specs.size() - 2);
  EXPECT_EQ(plan.copies.back().tensor->name, "bert.classifier.bias");
  EXPECT_THAT(plan.notes, ElementsAre(HasSubstr("ckpt.bin: ignored 1 tensor(s) outside the "
                                                "model's prefix 'bert.': 'train_acc.total'")));
}

TEST(WeightPlan, ABareBertModelUnderAnyPrefixGetsBertBack) {
  std::vector<spec::names::ParamSpec> specs;
  for (const auto& s : spec::names::parameter_specs(kConfig)) {
    if (!spec::names::is_classifier_head(s.name))
      specs.push_back({"model." + s.name.substr(5), s.shape});
  }
  const Weights w = make_weights(specs);
  const WeightPlan plan = plan_weights(kConfig, w, {.allow_missing_head = true});
  EXPECT_TRUE(plan.head_missing);
  EXPECT_EQ(plan.copies.size(), specs.size());
  EXPECT_THAT(plan.notes, ElementsAre(HasSubstr("a BertModel checkpoint")));
  // Export and prediction need the head: without it the same weights are an error.
  EXPECT_THAT(error_message<Error>([&] { plan_weights(kConfig, make_weights(specs)); }),
              HasSubstr("ckpt.bin: missing tensors 'classifier.weight', 'classifier.bias': a "
                        "checkpoint without a classification head"));
}

TEST(WeightPlan, RenamedLayerNormsAndPretrainingHeadsAreNoted) {
  auto specs = renamed(spec::names::parameter_specs(kConfig), [](const std::string& n) {
    if (n.ends_with("LayerNorm.weight")) return n.substr(0, n.size() - 6) + "gamma";
    if (n.ends_with("LayerNorm.bias")) return n.substr(0, n.size() - 4) + "beta";
    return n;
  });
  specs.push_back({"cls.predictions.bias", {50}});
  const Weights w = make_weights(specs);
  const WeightPlan plan = plan_weights(kConfig, w);
  EXPECT_THAT(plan.notes, ElementsAre(HasSubstr("ignored 1 pretraining-head tensor(s) (cls.*)"),
                                      HasSubstr("read 10 LayerNorm gamma/beta tensors")));
}

TEST(WeightPlan, WhatDoesNotFitIsNamed) {
  auto specs = spec::names::parameter_specs(kConfig);
  auto extra = specs;
  extra.push_back({"bert.encoder.layer.7.output.dense.bias", {16}});
  EXPECT_THAT(error_message<Error>([&] { plan_weights(kConfig, make_weights(extra)); }),
              HasSubstr("ckpt.bin: unexpected tensor 'bert.encoder.layer.7.output.dense.bias': "
                        "not parameters of BertForSequenceClassification with 2 layers"));
  auto wrong = specs;
  wrong.back().shape = {3};  // classifier.bias for 3 labels
  EXPECT_THAT(error_message<Error>([&] { plan_weights(kConfig, make_weights(wrong)); }),
              HasSubstr("ckpt.bin: tensor 'classifier.bias': shape [3] in the checkpoint, "
                        "expected [2]"));
  auto fewer = specs;
  fewer.erase(fewer.begin() + 7);
  EXPECT_THAT(error_message<Error>([&] { plan_weights(kConfig, make_weights(fewer)); }),
              HasSubstr("missing tensor 'bert.encoder.layer.0.attention.self.key.weight'"));
  auto two = specs;
  two.push_back({"other.bert.embeddings.word_embeddings.weight", {50, 16}});
  EXPECT_THAT(error_message<Error>([&] { plan_weights(kConfig, make_weights(two)); }),
              HasSubstr("word embeddings under 2 names"));
}

TEST(WeightPlan, IntegerWeightsAreRefused) {
  Weights w = make_weights(spec::names::parameter_specs(kConfig));
  auto& t = const_cast<StoredTensor&>(*w.find("classifier.bias"));
  t.dtype = spec::DType::kI64;
  EXPECT_THAT(error_message<Error>([&] { plan_weights(kConfig, w); }),
              HasSubstr("tensor 'classifier.bias': dtype I64 in the checkpoint, expected F32"));
}

}  // namespace
}  // namespace cola::checkpoint

#include "config/model_spec.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/error.h"
#include "support/error_message.h"

namespace cola::config {
namespace {

using ::testing::HasSubstr;

// The checks below are BertConfig::validate's, reached from a run's `model:` group.
ModelConfig tiny_model_config() {
  ModelConfig m;
  m.hidden_size = 64;
  m.num_attention_heads = 2;
  m.num_hidden_layers = 2;
  m.intermediate_size = 256;
  return m;
}

TEST(BertConfig, FromRunConfigTakesVocabLabelsAndPad) {
  const auto c = config::bert_config(tiny_model_config(), 1000, {"bad", "good"}, 3);
  EXPECT_EQ(c.vocab_size, 1000);
  EXPECT_EQ(c.hidden_size, 64);
  EXPECT_EQ(c.num_labels(), 2);
  EXPECT_EQ(c.head_size(), 32);
  EXPECT_EQ(c.pad_token_id, 3);
  EXPECT_EQ(c.id2label[1], "good");
}

TEST(BertConfig, HiddenSizeNotDivisibleByHeadsNamesBothNumbers) {
  auto m = tiny_model_config();
  m.hidden_size = 130;
  m.num_attention_heads = 4;
  EXPECT_THROW_MSG(config::bert_config(m, 100, {"a", "b"}), UsageError,
                   HasSubstr("hidden_size 130 is not divisible by num_attention_heads 4"));
}

TEST(BertConfig, NonPositiveSizesAreRejected) {
  auto m = tiny_model_config();
  m.num_hidden_layers = 0;
  EXPECT_THROW_MSG(config::bert_config(m, 100, {"a", "b"}), UsageError,
                   HasSubstr("num_hidden_layers must be positive, got 0"));
  m = tiny_model_config();
  m.intermediate_size = -5;
  EXPECT_THROW_MSG(config::bert_config(m, 100, {"a", "b"}), UsageError,
                   HasSubstr("intermediate_size must be positive, got -5"));
  EXPECT_THROW_MSG(config::bert_config(tiny_model_config(), 0, {"a", "b"}), UsageError,
                   HasSubstr("vocab_size must be positive, got 0"));
}

TEST(BertConfig, OtherInvalidValues) {
  auto m = tiny_model_config();
  m.hidden_dropout_prob = 1.0;
  EXPECT_THROW_MSG(config::bert_config(m, 100, {"a", "b"}), UsageError,
                   HasSubstr("hidden_dropout_prob must be in [0, 1), got 1"));
  EXPECT_THROW_MSG(config::bert_config(tiny_model_config(), 100, {"a", "b"}, 100), UsageError,
                   HasSubstr("pad_token_id 100 is outside the vocab (size 100)"));
  EXPECT_THROW_MSG(config::bert_config(tiny_model_config(), 100, {}), UsageError,
                   HasSubstr("at least one label"));
  EXPECT_THROW_MSG(config::bert_config(tiny_model_config(), 100, {"a", "a"}), UsageError,
                   HasSubstr("unique"));
}

TEST(BertConfig, JsonRoundTripIsExact) {
  auto c = config::bert_config(tiny_model_config(), 1234, {"unacceptable", "acceptable"});
  c.layer_norm_eps = 1e-12;
  c.initializer_range = 0.02;
  EXPECT_EQ(spec::BertConfig::from_json(c.to_json()), c);
  c.classifier_dropout.reset();
  EXPECT_EQ(spec::BertConfig::from_json(c.to_json()), c);
}

TEST(BertConfig, WritesHuggingFaceKeys) {
  const auto text = config::bert_config(tiny_model_config(), 99, {"no", "yes"}).to_json();
  EXPECT_THAT(text, HasSubstr(R"("model_type": "bert")"));
  EXPECT_THAT(text, HasSubstr(R"("architectures": [)"));
  EXPECT_THAT(text, HasSubstr(R"("BertForSequenceClassification")"));
  EXPECT_THAT(text, HasSubstr(R"("hidden_act": "gelu")"));
  EXPECT_THAT(text, HasSubstr(R"("vocab_size": 99)"));
  EXPECT_THAT(text, HasSubstr(R"("pad_token_id": 0)"));
  EXPECT_THAT(text, HasSubstr(R"("1": "yes")"));
  EXPECT_THAT(text, HasSubstr(R"("yes": 1)"));
}

}  // namespace
}  // namespace cola::config

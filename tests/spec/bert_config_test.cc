#include "spec/bert_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <limits>

#include "core/error.h"
#include "core/file.h"
#include "spec/names.h"
#include "support/error_message.h"
#include "support/shared_data.h"
#include "support/tiny_config.h"

namespace cola::spec {
namespace {

using ::testing::HasSubstr;

using test::tiny_config;

// The issue's config.json with a huge intermediate_size: one line before LibTorch allocates.
TEST(BertConfig, AModelLargerThanMemoryIsRefusedBeforeAllocating) {
  auto c = tiny_config();
  c.intermediate_size = 1'000'000'000'000;
  EXPECT_THROW_MSG(c.validate(), UsageError,
                   ::testing::AllOf(HasSubstr("intermediate_size 1000000000000"),
                                    HasSubstr("GB as float32, more than this machine's")));
}

TEST(BertConfig, ReadsTheGoldenConfigAndToleratesUnknownKeys) {
  COLA_SHARED_PATH_OR_SKIP(path, "golden/tiny-bert/config.json");
  const auto c = spec::BertConfig::from_json(read_file(path));
  EXPECT_EQ(c.vocab_size, 30522);
  EXPECT_EQ(c.hidden_size, 64);
  EXPECT_EQ(c.num_hidden_layers, 2);
  EXPECT_EQ(c.intermediate_size, 256);
  EXPECT_EQ(c.id2label, (std::vector<std::string>{"unacceptable", "acceptable"}));
  const auto extra = spec::BertConfig::from_json(
      R"({"transformers_version": "4.40", "torch_dtype": "float32", "use_cache": true,
          "hidden_size": 64, "num_attention_heads": 4, "classifier_dropout": null})");
  EXPECT_EQ(extra.hidden_size, 64);
  EXPECT_FALSE(extra.classifier_dropout.has_value());
  EXPECT_EQ(extra.num_labels(), 2);  // HF's default labels
}

TEST(BertConfig, JsonErrorsNameTheFileAndKey) {
  EXPECT_THROW_MSG(spec::BertConfig::from_json("{", "x/config.json"), Error,
                   HasSubstr("x/config.json: invalid JSON"));
  EXPECT_THROW_MSG(spec::BertConfig::from_json(R"({"hidden_size": "64"})", "c.json"), Error,
                   HasSubstr(R"(c.json: 'hidden_size' must be an integer, got "64")"));
  EXPECT_THROW_MSG(spec::BertConfig::from_json(R"({"hidden_act": "gelu_new"})", "c.json"),
                   UsageError, HasSubstr("c.json: model: hidden_act 'gelu_new' is not supported"));
  EXPECT_THROW_MSG(spec::BertConfig::from_json(R"({"model_type": "roberta"})"), Error,
                   HasSubstr("model_type 'roberta' is not supported"));
  EXPECT_THROW_MSG(spec::BertConfig::from_json(R"({"id2label": {"0": "a", "2": "b"}})"), Error,
                   HasSubstr("'id2label' keys must be the ids 0..1, got '2'"));
  EXPECT_THROW_MSG(spec::BertConfig::from_json(R"({"hidden_size": 130, "num_attention_heads": 4})"),
                   UsageError, HasSubstr("hidden_size 130 is not divisible"));
}

TEST(TokenizerConfig, RoundTripAndHuggingFaceForms) {
  spec::TokenizerConfig t;
  t.do_lower_case = false;
  t.model_max_length = 128;
  t.strip_accents = true;
  EXPECT_EQ(spec::TokenizerConfig::from_json(t.to_json()), t);
  EXPECT_THAT(t.to_json(), HasSubstr(R"("tokenizer_class": "BertTokenizer")"));
  const auto hf = spec::TokenizerConfig::from_json(
      R"({"unk_token": {"content": "<unk>", "lstrip": false, "__type": "AddedToken"},
          "model_max_length": 1000000000000000019884624838656, "clean_up_spaces": true})");
  EXPECT_EQ(hf.unk_token, "<unk>");
  EXPECT_EQ(hf.model_max_length, std::numeric_limits<int64_t>::max());
}

TEST(Names, TableExpandsPerLayerInStateDictOrder) {
  spec::BertConfig c;
  c.num_hidden_layers = 3;
  c.hidden_size = 16;
  c.num_attention_heads = 2;
  c.intermediate_size = 40;
  c.vocab_size = 50;
  c.id2label = {"a", "b", "c"};
  const auto specs = spec::names::parameter_specs(c);
  ASSERT_EQ(specs.size(), 5u + 3 * 16 + 4);
  EXPECT_EQ(specs[0].name, "bert.embeddings.word_embeddings.weight");
  EXPECT_EQ(specs[0].shape, (std::vector<int64_t>{50, 16}));
  EXPECT_EQ(specs[5 + 16 * 2 + 10].name, "bert.encoder.layer.2.intermediate.dense.weight");
  EXPECT_EQ(specs[5 + 16 * 2 + 10].shape, (std::vector<int64_t>{40, 16}));
  EXPECT_EQ(specs.back().name, "classifier.bias");
  EXPECT_EQ(specs.back().shape, (std::vector<int64_t>{3}));
  EXPECT_EQ(spec::names::layer_name(spec::names::kLayerOutput, 11), "bert.encoder.layer.11.output");
}

}  // namespace
}  // namespace cola::spec

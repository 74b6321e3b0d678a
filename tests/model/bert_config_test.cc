#include "model/bert_config.h"

#include "config/schema.h"
#include "core/error.h"
#include "core/file.h"
#include "model/bert.h"
#include "model/names.h"
#include "model_fixtures.h"
#include "support/shared_data.h"
#include "test_util.h"

namespace cola::model {
namespace {

using ::testing::HasSubstr;

config::ModelConfig tiny_model_config() {
  config::ModelConfig m;
  m.hidden_size = 64;
  m.num_attention_heads = 2;
  m.num_hidden_layers = 2;
  m.intermediate_size = 256;
  return m;
}

TEST(BertConfig, FromRunConfigTakesVocabLabelsAndPad) {
  const auto c = BertConfig::from(tiny_model_config(), 1000, {"bad", "good"}, 3);
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
  EXPECT_THROW_MSG(BertConfig::from(m, 100, {"a", "b"}), UsageError,
                   HasSubstr("hidden_size 130 is not divisible by num_attention_heads 4"));
}

TEST(BertConfig, NonPositiveSizesAreRejected) {
  auto m = tiny_model_config();
  m.num_hidden_layers = 0;
  EXPECT_THROW_MSG(BertConfig::from(m, 100, {"a", "b"}), UsageError,
                   HasSubstr("num_hidden_layers must be positive, got 0"));
  m = tiny_model_config();
  m.intermediate_size = -5;
  EXPECT_THROW_MSG(BertConfig::from(m, 100, {"a", "b"}), UsageError,
                   HasSubstr("intermediate_size must be positive, got -5"));
  EXPECT_THROW_MSG(BertConfig::from(tiny_model_config(), 0, {"a", "b"}), UsageError,
                   HasSubstr("vocab_size must be positive, got 0"));
}

// The issue's config.json with a huge intermediate_size: one line before LibTorch allocates.
TEST(BertConfig, AModelLargerThanMemoryIsRefusedBeforeAllocating) {
  auto c = test::tiny_config();
  c.intermediate_size = 1'000'000'000'000;
  EXPECT_THROW_MSG(c.validate(), UsageError,
                   ::testing::AllOf(HasSubstr("intermediate_size 1000000000000"),
                                    HasSubstr("GB as float32, more than this machine's")));
}

TEST(BertConfig, ParameterCountIsTheModels) {
  for (const auto& c :
       {test::tiny_config(), BertConfig::from(tiny_model_config(), 100, {"a", "b", "c"})}) {
    BertForSequenceClassification model(c);
    double n = 0;
    for (const auto& p : model->parameters()) n += static_cast<double>(p.numel());
    EXPECT_DOUBLE_EQ(c.parameter_count(), n);
  }
}

TEST(BertConfig, OtherInvalidValues) {
  auto m = tiny_model_config();
  m.hidden_dropout_prob = 1.0;
  EXPECT_THROW_MSG(BertConfig::from(m, 100, {"a", "b"}), UsageError,
                   HasSubstr("hidden_dropout_prob must be in [0, 1), got 1"));
  EXPECT_THROW_MSG(BertConfig::from(tiny_model_config(), 100, {"a", "b"}, 100), UsageError,
                   HasSubstr("pad_token_id 100 is outside the vocab (size 100)"));
  EXPECT_THROW_MSG(BertConfig::from(tiny_model_config(), 100, {}), UsageError,
                   HasSubstr("at least one label"));
  EXPECT_THROW_MSG(BertConfig::from(tiny_model_config(), 100, {"a", "a"}), UsageError,
                   HasSubstr("unique"));
}

TEST(BertConfig, JsonRoundTripIsExact) {
  auto c = BertConfig::from(tiny_model_config(), 1234, {"unacceptable", "acceptable"});
  c.layer_norm_eps = 1e-12;
  c.initializer_range = 0.02;
  EXPECT_EQ(BertConfig::from_json(c.to_json()), c);
  c.classifier_dropout.reset();
  EXPECT_EQ(BertConfig::from_json(c.to_json()), c);
}

TEST(BertConfig, WritesHuggingFaceKeys) {
  const auto text = BertConfig::from(tiny_model_config(), 99, {"no", "yes"}).to_json();
  EXPECT_THAT(text, HasSubstr(R"("model_type": "bert")"));
  EXPECT_THAT(text, HasSubstr(R"("architectures": [)"));
  EXPECT_THAT(text, HasSubstr(R"("BertForSequenceClassification")"));
  EXPECT_THAT(text, HasSubstr(R"("hidden_act": "gelu")"));
  EXPECT_THAT(text, HasSubstr(R"("vocab_size": 99)"));
  EXPECT_THAT(text, HasSubstr(R"("pad_token_id": 0)"));
  EXPECT_THAT(text, HasSubstr(R"("1": "yes")"));
  EXPECT_THAT(text, HasSubstr(R"("yes": 1)"));
}

TEST(BertConfig, ReadsTheGoldenConfigAndToleratesUnknownKeys) {
  COLA_SHARED_PATH_OR_SKIP(path, "golden/tiny-bert/config.json");
  const auto c = BertConfig::from_json(read_file(path));
  EXPECT_EQ(c.vocab_size, 30522);
  EXPECT_EQ(c.hidden_size, 64);
  EXPECT_EQ(c.num_hidden_layers, 2);
  EXPECT_EQ(c.intermediate_size, 256);
  EXPECT_EQ(c.id2label, (std::vector<std::string>{"unacceptable", "acceptable"}));
  const auto extra = BertConfig::from_json(
      R"({"transformers_version": "4.40", "torch_dtype": "float32", "use_cache": true,
          "hidden_size": 64, "num_attention_heads": 4, "classifier_dropout": null})");
  EXPECT_EQ(extra.hidden_size, 64);
  EXPECT_FALSE(extra.classifier_dropout.has_value());
  EXPECT_EQ(extra.num_labels(), 2);  // HF's default labels
}

TEST(BertConfig, JsonErrorsNameTheFileAndKey) {
  EXPECT_THROW_MSG(BertConfig::from_json("{", "x/config.json"), Error,
                   HasSubstr("x/config.json: invalid JSON"));
  EXPECT_THROW_MSG(BertConfig::from_json(R"({"hidden_size": "64"})", "c.json"), Error,
                   HasSubstr(R"(c.json: 'hidden_size' must be an integer, got "64")"));
  EXPECT_THROW_MSG(BertConfig::from_json(R"({"hidden_act": "gelu_new"})", "c.json"), UsageError,
                   HasSubstr("c.json: model: hidden_act 'gelu_new' is not supported"));
  EXPECT_THROW_MSG(BertConfig::from_json(R"({"model_type": "roberta"})"), Error,
                   HasSubstr("model_type 'roberta' is not supported"));
  EXPECT_THROW_MSG(BertConfig::from_json(R"({"id2label": {"0": "a", "2": "b"}})"), Error,
                   HasSubstr("'id2label' keys must be the ids 0..1, got '2'"));
  EXPECT_THROW_MSG(BertConfig::from_json(R"({"hidden_size": 130, "num_attention_heads": 4})"),
                   UsageError, HasSubstr("hidden_size 130 is not divisible"));
}

TEST(TokenizerConfig, RoundTripAndHuggingFaceForms) {
  TokenizerConfig t;
  t.do_lower_case = false;
  t.model_max_length = 128;
  t.strip_accents = true;
  EXPECT_EQ(TokenizerConfig::from_json(t.to_json()), t);
  EXPECT_THAT(t.to_json(), HasSubstr(R"("tokenizer_class": "BertTokenizer")"));
  const auto hf = TokenizerConfig::from_json(
      R"({"unk_token": {"content": "<unk>", "lstrip": false, "__type": "AddedToken"},
          "model_max_length": 1000000000000000019884624838656, "clean_up_spaces": true})");
  EXPECT_EQ(hf.unk_token, "<unk>");
  EXPECT_EQ(hf.model_max_length, std::numeric_limits<int64_t>::max());
}

TEST(Names, TableExpandsPerLayerInStateDictOrder) {
  BertConfig c;
  c.num_hidden_layers = 3;
  c.hidden_size = 16;
  c.num_attention_heads = 2;
  c.intermediate_size = 40;
  c.vocab_size = 50;
  c.id2label = {"a", "b", "c"};
  const auto specs = names::parameter_specs(c);
  ASSERT_EQ(specs.size(), 5u + 3 * 16 + 4);
  EXPECT_EQ(specs[0].name, "bert.embeddings.word_embeddings.weight");
  EXPECT_EQ(specs[0].shape, (std::vector<int64_t>{50, 16}));
  EXPECT_EQ(specs[5 + 16 * 2 + 10].name, "bert.encoder.layer.2.intermediate.dense.weight");
  EXPECT_EQ(specs[5 + 16 * 2 + 10].shape, (std::vector<int64_t>{40, 16}));
  EXPECT_EQ(specs.back().name, "classifier.bias");
  EXPECT_EQ(specs.back().shape, (std::vector<int64_t>{3}));
  EXPECT_EQ(names::layer_name(names::kLayerOutput, 11), "bert.encoder.layer.11.output");
}

}  // namespace
}  // namespace cola::model

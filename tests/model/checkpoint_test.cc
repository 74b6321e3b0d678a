#include "model/checkpoint.h"

#include <fmt/format.h>
#include <torch/types.h>

#include <cstring>
#include <limits>

#include "checkpoint/safetensors.h"
#include "core/error.h"
#include "core/file.h"
#include "model/weights.h"
#include "support/error_message.h"
#include "support/shared_data.h"
#include "support/tiny_config.h"

namespace cola::model {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

size_t entries(const fs::path& dir) {
  return static_cast<size_t>(std::distance(fs::directory_iterator(dir), fs::directory_iterator()));
}

class CheckpointTest : public ::testing::Test {
 protected:
  void SetUp() override {
    write_file_atomic(vocab_, "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nthe\n");
    torch::manual_seed(123);
    model_ = BertForSequenceClassification(test::tiny_config());
    model_->eval();
  }
  // Saves model_ to ckpt_, then lets `edit` change the tensors in its model.safetensors.
  void save_with_tensors(const std::function<void(NamedTensors&)>& edit) {
    save_checkpoint(ckpt_, *model_, vocab_, spec::TokenizerConfig{});
    NamedTensors tensors = read_tensors(ckpt_ / checkpoint::kWeightsFile);
    edit(tensors);
    write_tensors(ckpt_ / checkpoint::kWeightsFile, tensors);
  }
  torch::Tensor logits(BertForSequenceClassification& m) {
    torch::NoGradGuard no_grad;
    return m->forward(ids_);
  }

  cola::test::TempDir tmp_;
  fs::path vocab_ = tmp_ / "vocab.txt";
  fs::path ckpt_ = tmp_ / "out/ckpt";
  BertForSequenceClassification model_{nullptr};
  torch::Tensor ids_ = torch::tensor({2, 7, 9, 11, 3}, torch::kLong).view({1, 5});
};

TEST_F(CheckpointTest, RoundTripIsBitExact) {
  spec::TokenizerConfig tokenizer;
  tokenizer.model_max_length = 128;
  save_checkpoint(ckpt_, *model_, vocab_, tokenizer);
  for (const char* name : {checkpoint::kConfigFile, checkpoint::kWeightsFile,
                           checkpoint::kVocabFile, checkpoint::kTokenizerConfigFile}) {
    EXPECT_TRUE(fs::exists(ckpt_ / name)) << name;
  }
  EXPECT_EQ(entries(ckpt_.parent_path()), 1u);  // no temporary sibling left behind
  EXPECT_EQ(read_file(ckpt_ / checkpoint::kVocabFile), read_file(vocab_));

  auto loaded = load_checkpoint(ckpt_);
  EXPECT_TRUE(loaded.notes.empty());
  EXPECT_EQ(loaded.config, model_->config());
  EXPECT_EQ(loaded.tokenizer, tokenizer);
  EXPECT_EQ(loaded.vocab_path, ckpt_ / checkpoint::kVocabFile);
  const auto want = state_dict(*model_);
  const auto got = state_dict(*loaded.model);
  ASSERT_EQ(got.size(), want.size());
  for (const auto& [name, tensor] : want) {
    const auto& other = got.at(name);
    ASSERT_EQ(other.sizes(), tensor.sizes()) << name;
    EXPECT_EQ(std::memcmp(other.data_ptr(), tensor.data_ptr(), tensor.nbytes()), 0) << name;
  }
  EXPECT_TRUE(torch::equal(logits(loaded.model), logits(model_)));
}

TEST_F(CheckpointTest, SaveReplacesAnExistingDirectoryWithExtras) {
  save_checkpoint(ckpt_, *model_, vocab_, spec::TokenizerConfig{});
  write_file_atomic(ckpt_ / "stale.txt", "from the previous save");
  save_checkpoint(ckpt_, *model_, vocab_, spec::TokenizerConfig{},
                  [](const fs::path& dir) { write_file_atomic(dir / "trainer_state.json", "{}"); });
  EXPECT_TRUE(fs::exists(ckpt_ / "trainer_state.json"));
  EXPECT_FALSE(fs::exists(ckpt_ / "stale.txt"));
  EXPECT_EQ(entries(ckpt_.parent_path()), 1u);
}

TEST_F(CheckpointTest, FailedSaveLeavesThePreviousCheckpoint) {
  save_checkpoint(ckpt_, *model_, vocab_, spec::TokenizerConfig{});
  EXPECT_THROW_MSG(save_checkpoint(ckpt_, *model_, vocab_, spec::TokenizerConfig{},
                                   [](const fs::path&) { throw Error("disk full"); }),
                   Error, HasSubstr("saving checkpoint " + ckpt_.string() + ": disk full"));
  EXPECT_EQ(entries(ckpt_.parent_path()), 1u);
  EXPECT_NO_THROW(load_checkpoint(ckpt_));
  EXPECT_THROW_MSG(save_checkpoint(tmp_ / "other", *model_, tmp_ / "missing.txt", {}), Error,
                   HasSubstr("missing.txt: cannot open"));
  EXPECT_FALSE(fs::exists(tmp_ / "other"));
}

// What training from a pretrained encoder asks for.
LoadOptions fresh_head() {
  LoadOptions options;
  options.allow_missing_head = true;
  return options;
}

TEST_F(CheckpointTest, MissingClassifierHeadIsInitialisedAndReported) {
  save_with_tensors([](NamedTensors& t) {
    t.erase("classifier.weight");
    t.erase("classifier.bias");
    t["bert.embeddings.position_ids"] = torch::arange(24, torch::kLong).view({1, 24});
    t["cls.predictions.bias"] = torch::zeros({50});
  });
  // Export and prediction need the trained head: only training starts from an encoder alone.
  EXPECT_THROW_MSG(load_checkpoint(ckpt_), Error,
                   HasSubstr("missing tensors 'classifier.weight', 'classifier.bias': a "
                             "checkpoint without a classification head"));
  const auto loaded = load_checkpoint(ckpt_, fresh_head());
  EXPECT_THAT(loaded.notes,
              ElementsAre(HasSubstr("no classifier head (classifier.weight, classifier.bias): "
                                    "initialised fresh from N(0, 0.02)"),
                          HasSubstr("ignored 1 pretraining-head tensor(s) (cls.*)")));
  const auto got = state_dict(*loaded.model);
  const auto want = state_dict(*model_);
  EXPECT_TRUE(
      torch::equal(got.at("bert.pooler.dense.weight"), want.at("bert.pooler.dense.weight")));
  EXPECT_FALSE(torch::equal(got.at("classifier.weight"), want.at("classifier.weight")));
  EXPECT_GT(got.at("classifier.weight").abs().sum().item<double>(), 0.0);
  EXPECT_TRUE(torch::equal(got.at("classifier.bias"), torch::zeros({2})));
}

TEST_F(CheckpointTest, UnexpectedTensorIsAnErrorNamingIt) {
  save_with_tensors([](NamedTensors& t) {
    t["bert.encoder.layer.7.output.dense.weight"] = torch::zeros({16, 32});
  });
  EXPECT_THROW_MSG(load_checkpoint(ckpt_), Error,
                   HasSubstr("unexpected tensor 'bert.encoder.layer.7.output.dense.weight': not "
                             "parameters of BertForSequenceClassification with 2 layers"));
}

TEST_F(CheckpointTest, MissingEncoderTensorIsAnErrorNamingIt) {
  save_with_tensors(
      [](NamedTensors& t) { t.erase("bert.encoder.layer.1.attention.self.key.bias"); });
  EXPECT_THROW_MSG(load_checkpoint(ckpt_), Error,
                   HasSubstr("loading checkpoint " + ckpt_.string() + ": " +
                             (ckpt_ / checkpoint::kWeightsFile).string() +
                             ": missing tensor 'bert.encoder.layer.1.attention.self.key.bias'"));
}

TEST_F(CheckpointTest, ShapeMismatchNamesTensorAndBothShapes) {
  save_with_tensors([](NamedTensors& t) { t["classifier.weight"] = torch::zeros({3, 16}); });
  EXPECT_THROW_MSG(load_checkpoint(ckpt_), Error,
                   HasSubstr("tensor 'classifier.weight': shape [3,16] in the checkpoint, "
                             "expected [2,16]"));
}

// A NaN compares false everywhere, so it would sail through validation: refused at load, by
// tensor and index, unless asked for.
TEST_F(CheckpointTest, NonFiniteWeightsAreRefusedByTensorAndIndex) {
  for (const float bad :
       {std::numeric_limits<float>::quiet_NaN(), -std::numeric_limits<float>::infinity()}) {
    save_with_tensors([&](NamedTensors& t) {
      auto w = t.at("bert.encoder.layer.1.output.dense.weight").clone();
      w[3][5] = bad;
      t["bert.encoder.layer.1.output.dense.weight"] = w;
    });
    EXPECT_THROW_MSG(
        load_checkpoint(ckpt_), Error,
        HasSubstr(fmt::format("tensor 'bert.encoder.layer.1.output.dense.weight' has a "
                              "non-finite value ({}) at [3, 5]; --allow-non-finite",
                              bad)));
    LoadOptions allow;
    allow.allow_non_finite = true;
    const auto loaded = load_checkpoint(ckpt_.string(), allow);
    EXPECT_FALSE(torch::isfinite(
                     loaded.model->named_parameters()["bert.encoder.layer.1.output.dense.weight"])
                     .all()
                     .item<bool>());
  }
}

TEST_F(CheckpointTest, HalfPrecisionWeightsLoadAsFloat) {
  save_checkpoint(ckpt_, *model_, vocab_, spec::TokenizerConfig{});
  // Rewrite every tensor as F16 (and one as BF16) by hand: our writer only writes F32.
  const auto f32 = read_tensors(ckpt_ / checkpoint::kWeightsFile);
  std::vector<torch::Tensor> keep;
  std::vector<checkpoint::safetensors::TensorView> views;
  for (const auto& [name, t] : f32) {
    const bool bf16 = name == "classifier.weight";
    auto half = t.to(bf16 ? torch::kBFloat16 : torch::kHalf).contiguous();
    views.push_back({name, bf16 ? spec::DType::kBF16 : spec::DType::kF16, half.sizes().vec(),
                     std::string_view(static_cast<const char*>(half.data_ptr()), half.nbytes())});
    keep.push_back(half);
  }
  checkpoint::safetensors::write(ckpt_ / checkpoint::kWeightsFile, views);
  const auto loaded = load_checkpoint(ckpt_);
  const auto got = state_dict(*loaded.model);
  for (size_t i = 0; i < views.size(); ++i) {
    EXPECT_TRUE(torch::equal(got.at(views[i].name), keep[i].to(torch::kFloat))) << views[i].name;
  }
}

TEST_F(CheckpointTest, HuggingFaceNameVariantsAreAccepted) {
  // A BertModel checkpoint converted from TensorFlow: no "bert." prefix, LayerNorm gamma/beta.
  save_with_tensors([](NamedTensors& t) {
    NamedTensors renamed;
    for (auto& [name, tensor] : t) {
      if (name.starts_with("classifier.")) continue;
      std::string n = name.substr(5);  // drop "bert."
      if (n.ends_with("LayerNorm.weight")) n.replace(n.size() - 6, 6, "gamma");
      if (n.ends_with("LayerNorm.bias")) n.replace(n.size() - 4, 4, "beta");
      renamed[n] = tensor;
    }
    t = renamed;
  });
  const auto loaded = load_checkpoint(ckpt_, fresh_head());
  EXPECT_EQ(loaded.notes.size(), 3u);
  EXPECT_TRUE(torch::equal(state_dict(*loaded.model).at("bert.embeddings.LayerNorm.weight"),
                           state_dict(*model_).at("bert.embeddings.LayerNorm.weight")));
}

TEST_F(CheckpointTest, AdjustConfigSetsTheRunsLabels) {
  save_with_tensors([](NamedTensors& t) {
    t.erase("classifier.weight");
    t.erase("classifier.bias");
  });
  LoadOptions options = fresh_head();
  options.adjust_config = [](spec::BertConfig& c) {
    c.id2label = {"a", "b", "c"};
    c.hidden_dropout_prob = 0.2;
  };
  const auto loaded = load_checkpoint(ckpt_, options);
  EXPECT_EQ(loaded.model->config().num_labels(), 3);
  EXPECT_EQ(loaded.model->classifier()->weight.size(0), 3);
}

TEST_F(CheckpointTest, NotACheckpoint) {
  EXPECT_THROW_MSG(load_checkpoint(tmp_ / "nope"), Error,
                   HasSubstr("loading checkpoint " + (tmp_ / "nope").string() +
                             ": no such file or directory, and not a Hugging Face Hub id"));
  fs::create_directories(tmp_ / "empty");
  EXPECT_THROW_MSG(load_checkpoint(tmp_ / "empty"), Error, HasSubstr("config.json: cannot open"));
}

}  // namespace
}  // namespace cola::model

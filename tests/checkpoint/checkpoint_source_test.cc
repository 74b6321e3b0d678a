// Finding a checkpoint's parts, torch-free: Hugging Face directories with each weights format,
// sharded indices, Google's original config.json, Lightning checkpoints and the Hub cache.
#include "checkpoint/checkpoint_source.h"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <optional>

#include "checkpoint/safetensors.h"
#include "core/digest.h"
#include "core/error.h"
#include "core/file.h"
#include "support/error_message.h"
#include "support/shared_data.h"
#include "support/torch_save_writer.h"

namespace cola::checkpoint {
namespace {

namespace fs = std::filesystem;
using test::error_message;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<std::string> names_of(const CheckpointSource& s) {
  std::vector<std::string> out;
  for (const auto& [name, path] : s.identity_files()) out.push_back(name);
  return out;
}

// Sets an environment variable for one test.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    ::setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() {
    if (old_) {
      ::setenv(name_, old_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

SourceOptions with_labels(std::vector<std::string> labels) {
  SourceOptions o;
  o.labels = std::move(labels);
  return o;
}

SourceOptions with_config(const fs::path& config) {
  SourceOptions o;
  o.config = config.string();
  return o;
}

TEST(CheckpointSource, GooglesConfigGetsBertConfigDefaultsAndTransformersLabels) {
  COLA_SHARED_PATH_OR_SKIP(dir, "golden/pytorch/hf-bin");
  const auto src = open_checkpoint_source(dir.string());
  EXPECT_EQ(src.description, "a Hugging Face directory (pytorch_model.bin)");
  EXPECT_EQ(src.config.layer_norm_eps, 1e-12);
  EXPECT_EQ(src.config.pad_token_id, 0);
  EXPECT_EQ(src.config.id2label, (std::vector<std::string>{"LABEL_0", "LABEL_1"}));
  EXPECT_THAT(src.notes, ElementsAre(HasSubstr("no tokenizer_config.json: using BertTokenizer "
                                               "defaults"),
                                     HasSubstr("config.json: no id2label: the labels are "
                                               "LABEL_0, LABEL_1, as transformers names them")));
  EXPECT_EQ(src.vocab_path, dir / "vocab.txt");
  EXPECT_THAT(names_of(src), ElementsAre("config.json", "pytorch_model.bin", "vocab.txt"));
  EXPECT_NE(src.weights.find("bert.embeddings.word_embeddings.weight"), nullptr);
}

TEST(CheckpointSource, LabelsOptionNamesTheOutputsAndMustMatchTheHead) {
  COLA_SHARED_PATH_OR_SKIP(dir, "golden/pytorch/hf-bin-legacy");
  const auto src = open_checkpoint_source(dir.string(), with_labels({"bad", "good"}));
  EXPECT_EQ(src.config.id2label, (std::vector<std::string>{"bad", "good"}));
  EXPECT_EQ(src.description, "a Hugging Face directory (pytorch_model.bin)");
  EXPECT_THAT(error_message<UsageError>([&] {
                open_checkpoint_source(dir.string(), with_labels({"a", "b", "c"}));
              }),
              HasSubstr("--labels gives 3 labels (a, b, c), but classifier.weight has 2 rows"));
}

TEST(CheckpointSource, ALightningCheckpointTakesItsConfigFromConfigOption) {
  COLA_SHARED_PATH_OR_SKIP(ckpt, "golden/pytorch/lightning/best-checkpoint.ckpt");
  const fs::path snapshot = ckpt.parent_path() / "hub-snapshot";
  for (const auto& config : {snapshot, snapshot / "config.json"}) {
    const auto src = open_checkpoint_source(ckpt.string(), with_config(config));
    EXPECT_EQ(src.description, "a Lightning checkpoint (zip)");
    EXPECT_EQ(src.config.id2label, (std::vector<std::string>{"unacceptable", "acceptable"}));
    EXPECT_EQ(src.config_path, snapshot / "config.json");
    EXPECT_EQ(src.vocab_path, snapshot / "vocab.txt");
    EXPECT_THAT(names_of(src), ElementsAre("best-checkpoint.ckpt", "config.json",
                                           "tokenizer_config.json", "vocab.txt"));
    EXPECT_NE(src.weights.find("bert.bert.encoder.layer.1.output.dense.weight"), nullptr);
  }
}

// A Hub cache laid out as huggingface_hub writes it: blobs named by etag, snapshot files as
// relative symlinks, refs/main holding the commit (no newline).
fs::path make_hub_cache(const fs::path& cache, const fs::path& files, const std::string& repo) {
  const std::string commit = "0123456789abcdef0123456789abcdef01234567";
  const fs::path root = cache / ("models--" + repo.substr(0, repo.find('/')) + "--" +
                                 repo.substr(repo.find('/') + 1));
  fs::create_directories(root / "blobs");
  fs::create_directories(root / "snapshots" / commit);
  fs::create_directories(root / "refs");
  for (const char* name : {"config.json", "vocab.txt", "tokenizer_config.json"}) {
    const std::string content = read_file(files / name);
    const std::string etag = sha256_hex(content);
    write_file_atomic(root / "blobs" / etag, content);
    fs::create_symlink("../../blobs/" + etag, root / "snapshots" / commit / name);
  }
  write_file_atomic(root / "refs" / "main", commit);
  return root / "snapshots" / commit;
}

TEST(CheckpointSource, ALightningCheckpointOtherwiseUsesItsModelNameThroughTheHubCache) {
  COLA_SHARED_PATH_OR_SKIP(ckpt, "golden/pytorch/lightning/best-checkpoint-legacy.ckpt");
  const test::TempDir cache;
  const fs::path snapshot =
      make_hub_cache(cache.path(), ckpt.parent_path() / "hub-snapshot", "cola-golden/tiny-bert");
  const ScopedEnv hub_cache("HF_HUB_CACHE", cache.path().string());
  const ScopedEnv offline("HF_HUB_OFFLINE", "1");
  const auto src = open_checkpoint_source(ckpt.string());
  EXPECT_EQ(src.description, "a Lightning checkpoint (legacy)");
  EXPECT_EQ(src.config_path, snapshot / "config.json");
  EXPECT_EQ(src.config.num_hidden_layers, 2);
  // Not in the cache, and offline: the message says what is missing.
  const test::TempDir empty;
  const ScopedEnv no_cache("HF_HUB_CACHE", empty.path().string());
  EXPECT_THAT(
      error_message<Error>([&] { open_checkpoint_source(ckpt.string()); }),
      AllOf(HasSubstr("loading checkpoint " + ckpt.string()), HasSubstr("cola-golden/tiny-bert")));
}

// The golden weights split into two safetensors shards with their index.
void write_sharded(const fs::path& dir, const fs::path& golden) {
  fs::create_directories(dir);
  const auto file = safetensors::File::read(golden / "model.safetensors");
  std::vector<safetensors::TensorView> shards[2];
  nlohmann::json index = {{"metadata", {{"total_size", 0}}},
                          {"weight_map", nlohmann::json::object()}};
  for (size_t i = 0; i < file.tensors().size(); ++i) {
    const auto& t = file.tensors()[i];
    const int shard = t.name.starts_with("bert.encoder") ? 1 : 0;
    shards[shard].push_back({t.name, t.dtype, t.shape, file.data(t)});
    index["weight_map"][t.name] = fmt::format("model-0000{}-of-00002.safetensors", shard + 1);
  }
  for (int s = 0; s < 2; ++s) {
    safetensors::write(dir / fmt::format("model-0000{}-of-00002.safetensors", s + 1), shards[s]);
  }
  write_file_atomic(dir / kSafetensorsIndexFile, index.dump());
  for (const char* name : {"config.json", "vocab.txt", "tokenizer_config.json"}) {
    fs::copy_file(golden / name, dir / name);
  }
}

TEST(CheckpointSource, ShardedCheckpointsReadEveryShard) {
  COLA_SHARED_PATH_OR_SKIP(golden, "golden/tiny-bert");
  const test::TempDir tmp;
  write_sharded(tmp / "sharded", golden);
  const auto src = open_checkpoint_source((tmp / "sharded").string());
  EXPECT_EQ(src.description, "a Hugging Face directory (model.safetensors.index.json)");
  EXPECT_EQ(src.weights.tensors.size(),
            safetensors::File::read(golden / "model.safetensors").tensors().size());
  EXPECT_THAT(names_of(src),
              ElementsAre("config.json", "model-00001-of-00002.safetensors",
                          "model-00002-of-00002.safetensors", "model.safetensors.index.json",
                          "tokenizer_config.json", "vocab.txt"));
  // An index naming a tensor its shard lacks.
  auto index = nlohmann::json::parse(read_file(tmp / "sharded" / kSafetensorsIndexFile));
  index["weight_map"]["bert.pooler.dense.bias"] = "model-00002-of-00002.safetensors";
  write_file_atomic(tmp / "sharded" / kSafetensorsIndexFile, index.dump());
  EXPECT_THAT(error_message<Error>([&] { open_checkpoint_source((tmp / "sharded").string()); }),
              HasSubstr("names tensor 'bert.pooler.dense.bias' in shard "
                        "model-00002-of-00002.safetensors, which does not hold it"));
}

TEST(CheckpointSource, ShardedTorchFilesToo) {
  COLA_SHARED_PATH_OR_SKIP(golden, "golden/tiny-bert");
  const test::TempDir tmp;
  const auto file = safetensors::File::read(golden / "model.safetensors");
  test::TorchSave shard[2];
  nlohmann::json index = {{"weight_map", nlohmann::json::object()}};
  for (size_t i = 0; i < file.tensors().size(); ++i) {
    const auto& t = file.tensors()[i];
    const int s = static_cast<int>(i % 2);
    const std::string key = std::to_string(i);
    shard[s].storages[key] = {"FloatStorage", std::string(file.data(t)), -1};
    shard[s].tensors.push_back(test::tensor(t.name, key, 0, t.shape));
    index["weight_map"][t.name] = fmt::format("pytorch_model-0000{}-of-00002.bin", s + 1);
  }
  for (int s = 0; s < 2; ++s) {
    write_file_atomic(tmp / fmt::format("pytorch_model-0000{}-of-00002.bin", s + 1),
                      s == 0 ? test::torch_save_zip(shard[s]) : test::torch_save_legacy(shard[s]));
  }
  write_file_atomic(tmp / kTorchIndexFile, index.dump());
  fs::copy_file(golden / "config.json", tmp / "config.json");
  fs::copy_file(golden / "vocab.txt", tmp / "vocab.txt");
  const auto src = open_checkpoint_source(tmp.path().string());
  EXPECT_EQ(src.description, "a Hugging Face directory (pytorch_model.bin.index.json)");
  EXPECT_EQ(src.weights.tensors.size(), file.tensors().size());
}

TEST(CheckpointSource, DirectoriesPreferSafetensorsAndSayWhatIsMissing) {
  COLA_SHARED_PATH_OR_SKIP(golden, "golden/tiny-bert");
  COLA_SHARED_PATH_OR_SKIP(bin, "golden/pytorch/hf-bin/pytorch_model.bin");
  const test::TempDir tmp;
  fs::copy(golden, tmp / "both");
  fs::copy_file(bin, tmp / "both" / kTorchWeightsFile);
  EXPECT_EQ(open_checkpoint_source((tmp / "both").string()).description,
            "a Hugging Face directory (model.safetensors)");
  fs::create_directories(tmp / "none");
  fs::copy_file(golden / "config.json", tmp / "none" / "config.json");
  EXPECT_THAT(error_message<Error>([&] { open_checkpoint_source((tmp / "none").string()); }),
              HasSubstr("none: no weights: expected model.safetensors, "
                        "model.safetensors.index.json, pytorch_model.bin or "
                        "pytorch_model.bin.index.json (it holds: config.json)"));
  EXPECT_THAT(error_message<Error>([&] { open_checkpoint_source((tmp / "nope").string()); }),
              HasSubstr("loading checkpoint " + (tmp / "nope").string() +
                        ": no such file or directory, and not a Hugging Face Hub id"));
  // A missing file-like name is a mistyped path, never asked of the Hub (even offline).
  EXPECT_THAT(error_message<Error>([] { open_checkpoint_source("models/best-checkpoint.ckpt"); }),
              HasSubstr("models/best-checkpoint.ckpt: no such file or directory"));
  // A weights file alone: its config is the one beside it.
  const auto single = open_checkpoint_source((golden / "model.safetensors").string());
  EXPECT_EQ(single.description, "a safetensors file");
  EXPECT_EQ(single.config_path, golden / "config.json");
}

}  // namespace
}  // namespace cola::checkpoint

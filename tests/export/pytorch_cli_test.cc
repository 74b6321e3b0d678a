// `cola export` and `cola convert` on every format the PyTorch world leaves on disk (the files in
// ../shared/golden/pytorch, laid out as that workflow writes them), through the real binary: each
// export gives the golden logits on ONNX Runtime and carries the metadata a `cola train` export
// carries.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "core/digest.h"
#include "core/file.h"
#include "hub/fake_hub.h"
#include "runtime/ort_session.h"
#include "support/run_cli.h"
#include "support/shared_data.h"

namespace cola::test {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using Json = nlohmann::json;

constexpr double kTolerance = 1e-4;  // golden/tiny-bert/README.md

// The exported file against the reference: every case's logits, and the metadata.
void expect_golden_model(const fs::path& model, const std::vector<std::string>& labels,
                         const std::string& kind) {
  COLA_SHARED_PATH_OR_SKIP(golden, "golden/tiny-bert");
  const auto session = runtime::Session::open(model);
  std::ifstream in(golden / "cases.jsonl");
  std::string line;
  int cases = 0;
  double worst = 0;
  while (std::getline(in, line)) {
    const auto c = Json::parse(line);
    auto ids = c["input_ids"].get<std::vector<int64_t>>();
    std::vector<int64_t> mask(ids.size(), 1);
    const std::vector<int64_t> shape = {1, static_cast<int64_t>(ids.size())};
    const auto out = session.run({{"input_ids", ids, shape}, {"attention_mask", mask, shape}});
    const auto logits = c["logits"].get<std::vector<double>>();
    for (size_t j = 0; j < logits.size(); ++j) {
      worst = std::max(worst, std::abs(static_cast<double>(out[0].data[j]) - logits[j]));
    }
    ++cases;
  }
  EXPECT_EQ(cases, 338);
  EXPECT_LE(worst, kTolerance) << model;

  const auto meta = session.metadata();
  EXPECT_EQ(meta.at("vocab"), read_file(golden / "vocab.txt"));
  Json id2label = Json::object();
  for (size_t i = 0; i < labels.size(); ++i) id2label[std::to_string(i)] = labels[i];
  EXPECT_EQ(Json::parse(meta.at("id2label")), id2label);
  EXPECT_TRUE(Json::parse(meta.at("tokenizer_config"))["do_lower_case"].get<bool>());
  // One hash of the source's files, re-derivable with sha256sum.
  EXPECT_EQ(meta.at("source_checkpoint_sha256"), sha256_hex(meta.at("source_checkpoint_files")));
  EXPECT_THAT(meta.at("source_checkpoint_kind"), HasSubstr(kind));
}

FakeHub::Options hub_of(const fs::path& root) {
  FakeHub::Options o;
  o.root = root;
  return o;
}

class PytorchCli : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto dir = shared_dir();
    if (!dir) {
      if (shared_required()) FAIL() << "COLA_REQUIRE_SHARED=1 but ../shared is missing";
      GTEST_SKIP() << "shared data not found (set COLA_SHARED_DIR)";
    }
    pytorch_ = *dir / "golden/pytorch";
    golden_ = *dir / "golden/tiny-bert";
  }

  // `cola export` into out_/model.onnx; returns stdout, failing the test on a non-zero exit.
  std::string export_ok(std::vector<std::string> args,
                        const std::map<std::string, std::string>& env = {}) {
    args.insert(args.begin(), "export");
    args.insert(args.end(), {"--output", (out_ / "model.onnx").string()});
    const auto r = run_cli(args, env);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_THAT(r.out, ::testing::Not(HasSubstr("FAIL")));
    return r.err;
  }

  const std::vector<std::string> kNamed = {"unacceptable", "acceptable"};
  fs::path pytorch_, golden_;
  TempDir out_;
};

TEST_F(PytorchCli, PytorchModelBinZipWithGooglesConfig) {
  const auto err = export_ok({"--checkpoint", (pytorch_ / "hf-bin").string()});
  // Google's config.json names no labels: transformers' names, and a warning saying so.
  EXPECT_THAT(err, HasSubstr("no id2label: the labels are LABEL_0, LABEL_1"));
  expect_golden_model(out_ / "model.onnx", {"LABEL_0", "LABEL_1"}, "pytorch_model.bin");
}

TEST_F(PytorchCli, PytorchModelBinLegacyWithLabels) {
  // A config.json with id2label serves as a labels file.
  export_ok({"--checkpoint", (pytorch_ / "hf-bin-legacy").string(), "--labels",
             (golden_ / "config.json").string()});
  expect_golden_model(out_ / "model.onnx", kNamed, "pytorch_model.bin");
}

TEST_F(PytorchCli, LightningCheckpointWithConfig) {
  export_ok({"--checkpoint", (pytorch_ / "lightning/best-checkpoint.ckpt").string(), "--config",
             (pytorch_ / "lightning/hub-snapshot").string()});
  expect_golden_model(out_ / "model.onnx", kNamed, "a Lightning checkpoint (zip)");
}

TEST_F(PytorchCli, LightningCheckpointFromItsModelNameOnTheHub) {
  // The LightningModule's model_name is a Hub id: its config and tokenizer come from the Hub,
  // here a fake one, into an empty cache; the weights come from the checkpoint.
  FakeHub hub(hub_of(pytorch_ / "lightning/hub-snapshot"));
  const TempDir cache;
  const std::map<std::string, std::string> env = {{"HF_ENDPOINT", hub.url()},
                                                  {"HF_HUB_CACHE", cache.path().string()}};
  export_ok({"--checkpoint", (pytorch_ / "lightning/best-checkpoint-legacy.ckpt").string()}, env);
  expect_golden_model(out_ / "model.onnx", kNamed, "a Lightning checkpoint (legacy)");
  // Offline, from that cache, with the hub gone.
  hub.stop();
  auto offline = env;
  offline["HF_HUB_OFFLINE"] = "1";
  export_ok({"--checkpoint", (pytorch_ / "lightning/best-checkpoint-legacy.ckpt").string()},
            offline);
}

TEST_F(PytorchCli, HubIdOnlineThenOffline) {
  FakeHub hub(hub_of(golden_));
  const TempDir cache;
  std::map<std::string, std::string> env = {{"HF_ENDPOINT", hub.url()},
                                            {"HF_HUB_CACHE", cache.path().string()},
                                            {"HF_TOKEN", "hf_secret"}};
  export_ok({"--checkpoint", "cola-golden/tiny-bert"}, env);
  expect_golden_model(out_ / "model.onnx", kNamed, "from the Hub, cola-golden/tiny-bert@");
  for (const auto& auth : hub.cdn_authorizations()) EXPECT_EQ(auth, "");  // never to the CDN
  hub.stop();
  env["HF_HUB_OFFLINE"] = "1";
  export_ok({"--checkpoint", "cola-golden/tiny-bert"}, env);
  const auto miss = run_cli(
      {"export", "--checkpoint", "cola-golden/other", "--output", (out_ / "x.onnx").string()}, env);
  EXPECT_EQ(miss.exit_code, 1);
  EXPECT_THAT(miss.err, HasSubstr("cola-golden/other"));
  EXPECT_EQ(count_lines(miss.err), 1) << miss.err;
}

TEST_F(PytorchCli, ConvertWritesAHuggingFaceDirectoryThatExportsTheSame) {
  const fs::path dir = out_ / "converted";
  const auto r =
      run_cli({"convert", (pytorch_ / "lightning/best-checkpoint.ckpt").string(), "--config",
               (pytorch_ / "lightning/hub-snapshot").string(), "--output", dir.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("(41 tensors"));
  for (const char* name :
       {"config.json", "vocab.txt", "tokenizer_config.json", "model.safetensors"}) {
    EXPECT_TRUE(fs::exists(dir / name)) << name;
  }
  EXPECT_EQ(Json::parse(read_file(dir / "config.json"))["model_type"], "bert");
  export_ok({"--checkpoint", dir.string()});
  expect_golden_model(out_ / "model.onnx", kNamed, "a Hugging Face directory (model.safetensors)");
  // A second convert does not silently replace the first.
  const auto again = run_cli({"convert", (pytorch_ / "hf-bin").string(), "--output", dir.string()});
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_THAT(again.err, HasSubstr("exists and is not empty; pass --force"));
}

TEST_F(PytorchCli, PredictOnTheSeedsOnnxFileAgreesWithItsLightningCheckpoint) {
  // The workflow's torch.onnx.export file on ONNX Runtime, and the checkpoint it came from on
  // LibTorch, on every golden case: --compare fails the command beyond 1e-4.
  const auto r =
      run_cli({"predict", "--model", (pytorch_ / "seed-onnx/model.onnx").string(), "--vocab",
               (golden_ / "vocab.txt").string(), "--labels", (golden_ / "config.json").string(),
               "--compare", (pytorch_ / "lightning/best-checkpoint.ckpt").string(), "--config",
               (pytorch_ / "lightning/hub-snapshot").string(), "--input",
               (golden_ / "cases.jsonl").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(count_lines(r.out), 338);
  EXPECT_THAT(r.err, HasSubstr("label agreement 100.00% (338/338)"));
}

TEST_F(PytorchCli, TrainingStartsFromALightningCheckpoint) {
  const fs::path run = out_ / "run";
  const auto r = run_cli(
      {"train", "hydra.run.dir=" + run.string(),
       "model.pretrained=" + (pytorch_ / "lightning/best-checkpoint.ckpt").string(),
       "model.config=" + (pytorch_ / "lightning/hub-snapshot").string(), "training.max_epochs=1",
       "training.limit_train_batches=2", "training.num_threads=1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("starting from checkpoint"));
  // The run is the pretrained model's shape with its vocabulary, not the config group's.
  const auto config = Json::parse(read_file(run / "checkpoints/last/config.json"));
  EXPECT_EQ(config["hidden_size"], 64);
  EXPECT_EQ(read_file(run / "checkpoints/last/vocab.txt"), read_file(golden_ / "vocab.txt"));
}

TEST_F(PytorchCli, HostileFilesFailWithOneLineAndRunNothing) {
  for (const char* name : {"exec-os-system.bin", "exec-eval.ckpt", "short-storage.bin"}) {
    fs::remove("/tmp/cola-pwned");
    const auto r = run_cli({"export", "--checkpoint", (pytorch_ / "hostile" / name).string(),
                            "--config", golden_.string(), "--output", (out_ / "x.onnx").string()});
    EXPECT_EQ(r.exit_code, 1) << name;
    EXPECT_EQ(count_lines(r.err), 1) << r.err;
    EXPECT_THAT(r.err, HasSubstr(name));
    EXPECT_FALSE(fs::exists("/tmp/cola-pwned"));
    EXPECT_FALSE(fs::exists(out_ / "x.onnx"));
    // `cola convert` reads them through the same torch-free reader: the same refusal.
    const auto c = run_cli({"convert", (pytorch_ / "hostile" / name).string(), "--config",
                            golden_.string(), "--output", (out_ / "x-converted").string()});
    EXPECT_EQ(c.exit_code, 1) << name;
    EXPECT_EQ(count_lines(c.err), 1) << c.err;
    EXPECT_THAT(c.err, HasSubstr(name));
    EXPECT_FALSE(fs::exists("/tmp/cola-pwned"));
    EXPECT_FALSE(fs::exists(out_ / "x-converted"));
  }
}

}  // namespace
}  // namespace cola::test

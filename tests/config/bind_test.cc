#include "config/bind.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/compose.h"
#include "core/error.h"
#include "support/error_message.h"
#include "support/shared_data.h"

namespace cola::config {
namespace {

std::string error_of(const std::string& yaml) {
  return test::error_message<UsageError>([&] { bind_app_config(YAML::Load(yaml)); });
}

TEST(Bind, FieldsMapOntoTheStructs) {
  const auto c = bind_app_config(YAML::Load(
      "seed: 7\nmodel: {hidden_size: 256, pretrained: /x}\n"
      "data: {labels: [no, yes], lowercase: false}\ntraining: {lr: 1e-3, max_steps: 100}\n"));
  EXPECT_EQ(c.seed, 7u);
  EXPECT_EQ(c.model.hidden_size, 256);
  EXPECT_EQ(c.model.num_hidden_layers, 2);  // absent keys keep their defaults
  EXPECT_EQ(c.model.pretrained, "/x");
  EXPECT_EQ(c.data.labels, (std::vector<std::string>{"no", "yes"}));
  EXPECT_FALSE(c.data.lowercase);
  EXPECT_DOUBLE_EQ(c.training.lr, 1e-3);
  EXPECT_EQ(c.training.max_steps, 100);
}

TEST(Bind, WrongTypesNameThePathAndTheExpectedType) {
  EXPECT_EQ(error_of("training: {max_epochs: abc}"),
            "training.max_epochs: expected an integer, got 'abc'");
  EXPECT_EQ(error_of("training: {max_epochs: 2.5}"),
            "training.max_epochs: expected an integer, got '2.5'");
  EXPECT_EQ(error_of("training: {lr: fast}"), "training.lr: expected a number, got 'fast'");
  EXPECT_EQ(error_of("data: {lowercase: maybe}"),
            "data.lowercase: expected true or false, got 'maybe'");
  EXPECT_EQ(error_of("data: {labels: x}"), "data.labels: expected a list of strings, got 'x'");
  EXPECT_EQ(error_of("seed: -1"), "seed: expected a non-negative integer, got '-1'");
  EXPECT_EQ(error_of("model: 3"), "model: expected a map");
  EXPECT_EQ(error_of("data: {name: [1]}"), "data.name: expected a string, got a list");
}

TEST(Bind, ImpossibleCountsNameTheKey) {
  EXPECT_EQ(error_of("inference: {threads: -3}"),
            "inference.threads: -3 is not allowed (0 = one per physical core)");
  EXPECT_EQ(error_of("inference: {inter_op_threads: -1}"),
            "inference.inter_op_threads: -1 is not allowed (0 = ONNX Runtime's default)");
  EXPECT_EQ(error_of("inference: {batch_size: 0}"),
            "inference.batch_size: 0 is not allowed (at least one sentence a batch)");
  // Multi-process training's keys (issue 17).
  EXPECT_EQ(error_of("training: {nproc: -2}"),
            "training.nproc: -2 is not allowed (0 or 1 = this process alone)");
  EXPECT_EQ(error_of("training: {dist_timeout_s: 0}"),
            "training.dist_timeout_s: 0 is not allowed (seconds to wait for the other ranks; > 0)");
  EXPECT_EQ(
      error_of("training: {dist_timeout_s: .nan}"),
      "training.dist_timeout_s: nan is not allowed (seconds to wait for the other ranks; > 0)");
  EXPECT_THAT(error_of("training: {embedding_allreduce: fast}"),
              ::testing::HasSubstr("training.embedding_allreduce"));
  EXPECT_EQ(error_of("inference: {max_length: 1}"),
            "inference.max_length: 1 is not allowed (at least [CLS] and [SEP])");
  EXPECT_EQ(error_of("training: {num_threads: -2}"),
            "training.num_threads: -2 is not allowed (0 = one per physical core)");
  EXPECT_EQ(bind_app_config(YAML::Load("inference: {threads: 0, max_length: 2}")).inference.threads,
            0);
}

// The serve group's ranges are checked when the config is read, as every other group's are, and
// by the same function `cola serve` calls once its flags are laid over the config.
TEST(Bind, ServeRangesAreCheckedAtLoad) {
  EXPECT_EQ(error_of("serve: {port: 70000}"), "serve.port 70000 is not a port");
  EXPECT_EQ(error_of("serve: {request_timeout_s: .nan}"),
            "serve.request_timeout_s must be positive, got nan");
  EXPECT_EQ(error_of("serve: {max_batch_tokens: 0}"),
            "serve.max_batch_tokens must be positive, got 0");
  EXPECT_EQ(error_of("serve: {model_name: a/b}"), "serve.model_name \"a/b\" must not contain '/'");
  EXPECT_EQ(bind_app_config(YAML::Load("serve: {port: 0}")).serve.port, 0);
}

TEST(Bind, BatchLimitsTellFractionsFromCounts) {
  const auto c =
      bind_app_config(YAML::Load("training: {limit_train_batches: 0.25, limit_val_batches: 10}"));
  EXPECT_TRUE(c.training.limit_train_batches.is_fraction);
  EXPECT_EQ(c.training.limit_train_batches.apply(134), 33);
  EXPECT_EQ(c.training.limit_train_batches.apply(2), 1);  // a positive fraction runs >= 1 batch
  EXPECT_FALSE(c.training.limit_val_batches.is_fraction);
  EXPECT_EQ(c.training.limit_val_batches.apply(9), 9);
  EXPECT_EQ(c.training.limit_val_batches.apply(100), 10);
  EXPECT_EQ(error_of("training: {limit_train_batches: 1.5}"),
            "training.limit_train_batches: expected a fraction in (0, 1] or a batch count, got "
            "'1.5'");
  EXPECT_EQ(bind_app_config(YAML::Load("hydra: {run: {dir: out/x}}")).run_dir, "out/x");
}

TEST(Bind, ChoicesNameTheKeyAndTheValidValues) {
  const auto c = bind_app_config(
      YAML::Load("inference: {graph_optimization: basic, threads: 0, allow_spinning: false}"));
  EXPECT_EQ(c.inference.graph_optimization, "basic");
  EXPECT_EQ(c.inference.threads, 0);
  EXPECT_FALSE(c.inference.allow_spinning);
  EXPECT_EQ(error_of("inference: {graph_optimization: max}"),
            "inference.graph_optimization: unknown value 'max' (valid: disabled, basic, "
            "extended, all)");
  EXPECT_EQ(error_of("inference: {execution_mode: async}"),
            "inference.execution_mode: unknown value 'async' (valid: sequential, parallel)");
  EXPECT_EQ(error_of("inference: {backend: tf}"),
            "inference.backend: unknown value 'tf' (valid: auto, onnx, torch)");
}

TEST(Bind, UnknownKeysAreErrorsWithASuggestion) {
  EXPECT_EQ(error_of("training: {max_epoch: 3}"),
            "unknown config key 'training.max_epoch'; did you mean 'training.max_epochs'?");
  EXPECT_THAT(
      error_of("zzzzzzzz: 1"),
      ::testing::StartsWith("unknown config key 'zzzzzzzz' (valid "
                            "keys here: seed, hydra, model, data, training, inference, serve)"));
}

// Every option of every shipped group composes and binds: the YAML files and the structs agree.
TEST(Bind, EveryShippedConfigComposesAndBinds) {
  const auto dir = test::source_dir() / "configs";
  ::setenv("COLA_SHARED_DIR", "/shared-for-test", 1);
  for (const std::string group : {"model", "data", "training", "inference"}) {
    for (const auto& option : group_options(dir, group)) {
      SCOPED_TRACE(group + "=" + option);
      ComposeOptions o;
      o.config_dir = dir;
      o.overrides = {group + "=" + option};
      EXPECT_NO_THROW(bind_app_config(compose(o).tree));
    }
  }
  ComposeOptions o;
  o.config_dir = dir;
  o.overrides = {"data=cola"};
  const auto c = bind_app_config(compose(o).tree);
  EXPECT_EQ(c.data.dir, "/shared-for-test/data/cola/raw");
  // The shipped presets start from inference/default.yaml and change only what they are about.
  const auto inference = [&](const std::string& option) {
    o.overrides = {"inference=" + option};
    return bind_app_config(compose(o).tree).inference;
  };
  const InferenceConfig defaults;
  EXPECT_EQ(inference("default").threads, defaults.threads);
  EXPECT_TRUE(inference("default").allow_spinning);
  EXPECT_EQ(inference("latency").threads, 1);
  EXPECT_FALSE(inference("latency").allow_spinning);
  EXPECT_EQ(inference("latency").graph_optimization, "all");  // from default.yaml
  EXPECT_EQ(inference("throughput").threads, 0);
  EXPECT_EQ(inference("throughput").batch_size, 64);
  EXPECT_EQ(group_options(dir, "model"),
            (std::vector<std::string>{"bert-base", "bert-medium", "bert-mini", "bert-small",
                                      "bert-tiny"}));
}

}  // namespace
}  // namespace cola::config

// cola export on random-weight models: validation at opsets 14 and 17, the graph's hygiene, its
// metadata, and byte-for-byte determinism.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "core/digest.h"
#include "export/bert_graph.h"
#include "export/exporter.h"
#include "export/metadata.h"
#include "export_fixtures.h"
#include "spec/names.h"
#include "support/shared_data.h"

namespace cola::exporter {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;

class SingleThread : public ::testing::Environment {
 public:
  void SetUp() override { torch::set_num_threads(1); }
};
const auto* const kSingleThread = ::testing::AddGlobalTestEnvironment(new SingleThread);

onnx::ModelProto read_model(const fs::path& path) {
  onnx::ModelProto model;
  EXPECT_TRUE(model.ParseFromString(read_file(path))) << path;
  return model;
}

std::map<std::string, std::string> metadata_of(const onnx::ModelProto& model) {
  std::map<std::string, std::string> meta;
  for (const auto& p : model.metadata_props()) meta[p.key()] = p.value();
  return meta;
}

struct Case {
  const char* name;
  spec::BertConfig (*config)();
  int64_t opset;
};

class ExportRandom : public ::testing::TestWithParam<Case> {};

TEST_P(ExportRandom, ValidatesAndWritesTheFile) {
  test::TempDir tmp;
  const auto model = fixtures::random_model(GetParam().config(), 7);
  fixtures::save_random_checkpoint(tmp / "ckpt", *model);
  ExportRequest request{tmp / "ckpt", tmp / "model.onnx", {}, {}, {}, {}};
  request.options.opset = GetParam().opset;
  int callbacks = 0;
  request.on_validated = [&](const Validation&) { ++callbacks; };
  const auto result = export_checkpoint(request);

  EXPECT_EQ(callbacks, 1);
  ASSERT_TRUE(result.validation.ran);
  EXPECT_TRUE(result.validation.passed());
  EXPECT_EQ(result.validation.inferred_logits_shape,
            "[batch, " + std::to_string(model->config().num_labels()) + "]");
  ASSERT_EQ(result.validation.parity.size(), 5u);
  for (const auto& row : result.validation.parity) {
    EXPECT_LE(row.max_abs_diff, 1e-4) << row.batch << "x" << row.sequence;
    EXPECT_TRUE(row.argmax_equal);
  }
  EXPECT_EQ(result.validation.parity.back().sequence, model->config().max_position_embeddings);

  const auto proto = read_model(tmp / "model.onnx");
  EXPECT_EQ(result.sha256, sha256_hex(read_file(tmp / "model.onnx")));
  ASSERT_EQ(proto.opset_import_size(), 1);
  EXPECT_EQ(proto.opset_import(0).version(), GetParam().opset);
  int layer_norm_ops = 0;
  for (const auto& n : proto.graph().node()) layer_norm_ops += n.op_type() == "LayerNormalization";
  // One per LayerNorm module at 17 (embeddings + 2 per layer), decomposed at 14.
  EXPECT_EQ(layer_norm_ops, GetParam().opset >= 17 ? 1 + 2 * model->config().num_hidden_layers : 0);
}

INSTANTIATE_TEST_SUITE_P(Models, ExportRandom,
                         ::testing::Values(Case{"tiny14", fixtures::tiny_config, 14},
                                           Case{"tiny17", fixtures::tiny_config, 17},
                                           Case{"mini14", fixtures::mini_config, 14},
                                           Case{"mini17", fixtures::mini_config, 17}),
                         [](const auto& p) { return std::string(p.param.name); });

TEST(Export, TokenTypeIdsInputAndProbabilitiesOutputValidate) {
  test::TempDir tmp;
  const auto model = fixtures::random_model(fixtures::tiny_config(), 3);
  fixtures::save_random_checkpoint(tmp / "ckpt", *model);
  ExportRequest request{tmp / "ckpt", tmp / "model.onnx", {}, {}, {}, {}};
  request.options.token_type_ids = true;
  request.options.with_probabilities = true;
  const auto result = export_checkpoint(request);
  EXPECT_TRUE(result.validation.passed());
  const auto graph = read_model(tmp / "model.onnx").graph();
  ASSERT_EQ(graph.input_size(), 3);
  EXPECT_EQ(graph.input(2).name(), "token_type_ids");
  ASSERT_EQ(graph.output_size(), 2);
  EXPECT_EQ(graph.output(1).name(), "probabilities");
  // The full token-type table is looked up, not the folded row.
  std::set<std::string> inits;
  for (const auto& t : graph.initializer()) inits.insert(t.name());
  EXPECT_TRUE(inits.count("bert.embeddings.token_type_embeddings.weight"));
  EXPECT_FALSE(inits.count("bert.embeddings.token_type_embeddings.weight[0]"));
}

TEST(Export, TwoExportsAreByteIdentical) {
  test::TempDir tmp;
  const auto model = fixtures::random_model(fixtures::tiny_config(), 5);
  fixtures::save_random_checkpoint(tmp / "ckpt", *model);
  ExportRequest request{tmp / "ckpt", tmp / "a.onnx", {}, {}, {}, {}};
  request.options.validate = false;
  const auto a = export_checkpoint(request);
  request.output = tmp / "b.onnx";
  const auto b = export_checkpoint(request);
  EXPECT_EQ(a.sha256, b.sha256);
  EXPECT_EQ(a.sha256, sha256_hex(read_file(tmp / "b.onnx")));
  EXPECT_FALSE(a.validation.ran);
}

TEST(Export, MetadataReadsBack) {
  test::TempDir tmp;
  const auto model = fixtures::random_model(fixtures::tiny_config(), 9);
  // The layout `cola train` writes: <run>/checkpoints/best and <run>/summary.json.
  const fs::path ckpt = tmp / "run/checkpoints/best";
  fixtures::save_random_checkpoint(ckpt, *model);
  write_file_atomic(tmp / "run/summary.json",
                    nlohmann::json{{"best_checkpoint", ckpt.string()},
                                   {"best", {{"epoch", 2}, {"valid/mcc", 0.25}}}}
                        .dump());
  ExportRequest request{ckpt, tmp / "model.onnx", {}, {}, {}, {}};
  request.options.validate = false;
  export_checkpoint(request);
  const auto proto = read_model(tmp / "model.onnx");
  auto meta = metadata_of(proto);

  EXPECT_EQ(proto.producer_name(), "cola");
  EXPECT_FALSE(proto.producer_version().empty());
  EXPECT_THAT(proto.graph().doc_string(), HasSubstr("2 layers, hidden 16"));
  EXPECT_EQ(meta[kMetaId2Label], R"({"0":"unacceptable","1":"acceptable"})");
  const auto tokenizer = spec::TokenizerConfig::from_json(meta[kMetaTokenizer]);
  EXPECT_TRUE(tokenizer.do_lower_case);
  EXPECT_EQ(tokenizer.cls_token, "[CLS]");
  EXPECT_EQ(meta[kMetaVocab], read_file(ckpt / "vocab.txt"));
  EXPECT_EQ(meta[kMetaCheckpointSha256], sha256_hex(meta[kMetaCheckpointFiles]));
  EXPECT_THAT(meta[kMetaCheckpointFiles],
              HasSubstr(sha256_hex(read_file(ckpt / "model.safetensors")) + "  model.safetensors"));
  EXPECT_EQ(nlohmann::json::parse(meta[kMetaValidationMetrics])["valid/mcc"], 0.25);
  EXPECT_FALSE(meta[kMetaColaVersion].empty());
}

TEST(Export, MetricsComeFromMetricsJsonlAtTheCheckpointStep) {
  test::TempDir tmp;
  const fs::path ckpt = tmp / "run/checkpoints/last";
  fixtures::save_random_checkpoint(ckpt, *fixtures::random_model(fixtures::tiny_config(), 1));
  write_file_atomic(ckpt / "trainer_state.json", R"({"step": 20})");
  write_file_atomic(tmp / "run/metrics.jsonl",
                    "{\"step\": 10, \"valid/loss\": 0.9}\n{\"step\": 20, \"train/loss\": 0.5}\n"
                    "{\"step\": 20, \"valid/loss\": 0.7, \"valid/mcc\": 0.1}\n");
  const auto metrics = training_metrics(ckpt);
  ASSERT_TRUE(metrics.has_value());
  EXPECT_EQ(nlohmann::json::parse(*metrics)["valid/loss"], 0.7);
  EXPECT_FALSE(training_metrics(tmp / "run").has_value());
}

}  // namespace
}  // namespace cola::exporter

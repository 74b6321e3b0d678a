// OnnxPredictor and TorchPredictor on the same weights: against the independent tiny-bert golden,
// against each other on the sample dev set, from several threads, on a model without cola's
// metadata, and every way opening a model can fail.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "core/error.h"
#include "core/file.h"
#include "export/bert_graph.h"
#include "export/exporter.h"
#include "export/onnx_builder.h"
#include "model/checkpoint.h"
#include "model/torch_predictor.h"
#include "predict/input.h"
#include "runtime/onnx_predictor.h"
#include "support/error_message.h"
#include "support/shared_data.h"

namespace cola::test {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;

std::vector<std::string> dev_sentences() {
  std::ifstream in(source_dir() / "data/sample/dev.tsv");
  predict::SentenceReader reader(in, "dev.tsv", predict::InputFormat::kTsv,
                                 predict::OnBadLine::kFail);
  std::vector<std::string> out;
  std::string s;
  int64_t line = 0;
  while (reader.next(s, line)) out.push_back(s);
  return out;
}

double max_diff(const std::vector<predict::Prediction>& a,
                const std::vector<predict::Prediction>& b) {
  EXPECT_EQ(a.size(), b.size());
  double m = 0;
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
    for (size_t j = 0; j < a[i].scores.size(); ++j) {
      m = std::max(m, static_cast<double>(std::abs(a[i].scores[j] - b[i].scores[j])));
    }
  }
  return m;
}

class Backends : public ::testing::Test {
 protected:
  // The golden tiny-bert checkpoint exported once for the suite (with token_type_ids, as
  // torch.onnx exports of Hugging Face models have them).
  static void SetUpTestSuite() {
    const auto root = shared_dir();
    if (!root || !fs::exists(*root / "golden/tiny-bert")) return;
    checkpoint_ = new fs::path(*root / "golden/tiny-bert");
    dir_ = new TempDir();
    exporter::ExportRequest request{*checkpoint_, *dir_ / "tiny.onnx", {}, {}, {}, {}};
    request.options.validate = false;
    request.options.token_type_ids = true;
    exporter::export_checkpoint(request);
  }
  static void TearDownTestSuite() {
    delete dir_;
    delete checkpoint_;
  }
  void SetUp() override {
    COLA_SHARED_PATH_OR_SKIP(golden, "golden/tiny-bert");
    ASSERT_NE(dir_, nullptr);
  }
  static fs::path onnx() { return *dir_ / "tiny.onnx"; }
  static std::unique_ptr<runtime::OnnxPredictor> open_onnx(int64_t batch = 16) {
    runtime::OnnxPredictorOptions o;
    o.predict.batch_size = batch;
    return runtime::OnnxPredictor::open(onnx(), o);
  }
  static std::unique_ptr<predict::Predictor> open_torch() {
    return model::open_torch_predictor(*checkpoint_, {.predict = {.batch_size = 16}, .threads = 1});
  }
  static fs::path* checkpoint_;
  static TempDir* dir_;
};
fs::path* Backends::checkpoint_ = nullptr;
TempDir* Backends::dir_ = nullptr;

TEST_F(Backends, BothMatchTheGoldenProbabilitiesInBatches) {
  std::vector<std::string> texts;
  std::vector<std::vector<double>> expected;
  std::ifstream in(*checkpoint_ / "cases.jsonl");
  for (std::string line; std::getline(in, line);) {
    const auto j = nlohmann::json::parse(line);
    texts.push_back(j["text"]);
    expected.push_back(j["probabilities"]);
  }
  ASSERT_GT(texts.size(), 300u);
  const auto ort = open_onnx()->predict(texts);
  const auto torch = open_torch()->predict(texts);
  for (size_t i = 0; i < texts.size(); ++i) {
    for (size_t k = 0; k < 2; ++k) {
      // The golden is rounded to 7 decimals or 3 significant digits.
      ASSERT_NEAR(ort[i].scores[k], expected[i][k], 1e-4) << texts[i];
      ASSERT_NEAR(torch[i].scores[k], expected[i][k], 1e-4) << texts[i];
    }
  }
  EXPECT_LE(max_diff(ort, torch), 1e-4);
}

TEST_F(Backends, AgreeWithin1e4OnTheSampleDevSet) {
  const auto texts = dev_sentences();
  ASSERT_GT(texts.size(), 50u);
  const auto ort = open_onnx();
  EXPECT_EQ(ort->labels(), (std::vector<std::string>{"unacceptable", "acceptable"}));
  EXPECT_LE(max_diff(ort->predict(texts), open_torch()->predict(texts)), 1e-4);
}

TEST_F(Backends, BucketingKeepsTheInputOrder) {
  const auto texts = dev_sentences();
  const auto batched = open_onnx(8)->predict(texts);
  const auto one_by_one = open_onnx(1)->predict(texts);
  // Same rows, different padding: only float rounding may differ.
  EXPECT_LE(max_diff(batched, one_by_one), 1e-5);
}

TEST_F(Backends, ConcurrentPredictFromFourThreadsMatchesSequential) {
  const auto texts = dev_sentences();
  const auto ort = open_onnx(8);
  const auto torch = open_torch();
  const std::vector<const predict::Predictor*> predictors = {ort.get(), torch.get()};
  for (const predict::Predictor* p : predictors) {
    const auto sequential = p->predict(texts);
    std::vector<std::vector<predict::Prediction>> results(4);
    std::vector<std::thread> threads;
    for (auto& r : results) {
      threads.emplace_back([&texts, p, out = &r] {
        predict::Workspace ws;
        for (int rep = 0; rep < 3; ++rep) p->predict(texts, ws, *out);
      });
    }
    for (auto& t : threads) t.join();
    for (const auto& r : results) EXPECT_EQ(max_diff(r, sequential), 0) << p->backend();
  }
}

TEST_F(Backends, AModelWithoutMetadataNeedsVocabAndLabels) {
  onnx::ModelProto proto;
  ASSERT_TRUE(proto.ParseFromString(read_file(onnx())));
  proto.clear_metadata_props();
  const auto bare = *dir_ / "bare.onnx";
  write_file_atomic(bare, proto.SerializeAsString());
  EXPECT_THAT(error_message<Error>([&] { runtime::OnnxPredictor::open(bare, {}); }),
              HasSubstr("bare.onnx: no vocabulary in the model's metadata; export it with "
                        "`cola export`, or give --vocab and --labels"));
  runtime::OnnxPredictorOptions o;
  o.vocab = *checkpoint_ / "vocab.txt";
  EXPECT_THAT(error_message<Error>([&] { runtime::OnnxPredictor::open(bare, o); }),
              HasSubstr("no labels (id2label)"));
  write_file_atomic(*dir_ / "labels.txt", "unacceptable\nacceptable\n");
  o.labels = *dir_ / "labels.txt";
  const auto texts = dev_sentences();
  EXPECT_LE(
      max_diff(runtime::OnnxPredictor::open(bare, o)->predict(texts), open_onnx()->predict(texts)),
      1e-6);
}

// What torch.onnx.export makes of a Hugging Face BERT: Shape/Gather/Concat chains for every
// reshape, decomposed LayerNorm and GELU, token_type_ids as an input, no metadata. With --vocab and
// --labels it predicts the golden probabilities like our own graph.
TEST_F(Backends, ATorchOnnxStyleGraphWithoutMetadataPredictsLikeOurs) {
  const auto ckpt = model::load_checkpoint(*checkpoint_);
  const auto proto = exporter::build_model(
      *ckpt.model, {{14, spec::GraphStyle::kTorchExport}, /*token_type_ids=*/true, false, {}}, {});
  const auto path = *dir_ / "torch-style.onnx";
  write_file_atomic(path, exporter::serialize(proto));
  write_file_atomic(*dir_ / "id2label.json", R"({"0": "unacceptable", "1": "acceptable"})");
  runtime::OnnxPredictorOptions o;
  o.vocab = *checkpoint_ / "vocab.txt";
  o.labels = *dir_ / "id2label.json";
  const auto p = runtime::OnnxPredictor::open(path, o);
  EXPECT_EQ(p->session().inputs().size(), 3u);
  const auto texts = dev_sentences();
  EXPECT_LE(max_diff(p->predict(texts), open_onnx()->predict(texts)), 1e-5);
}

// A valid ONNX model (Identity on a float input) that is not a BERT classifier.
void write_identity_model(const fs::path& path) {
  onnx::ModelProto m;
  m.set_ir_version(8);
  m.add_opset_import()->set_version(14);
  auto* g = m.mutable_graph();
  g->set_name("identity");
  auto* node = g->add_node();
  node->set_op_type("Identity");
  node->add_input("pixels");
  node->add_output("logits");
  for (auto* v : {g->add_input(), g->add_output()}) {
    v->set_name(v == &g->input(0) ? "pixels" : "logits");
    auto* t = v->mutable_type()->mutable_tensor_type();
    t->set_elem_type(onnx::TensorProto::FLOAT);
    t->mutable_shape()->add_dim()->set_dim_param("N");
    t->mutable_shape()->add_dim()->set_dim_value(3);
  }
  write_file_atomic(path, m.SerializeAsString());
}

TEST_F(Backends, OpeningFailuresSayWhatIsWrong) {
  runtime::OnnxPredictorOptions o;
  o.vocab = *checkpoint_ / "vocab.txt";
  o.labels = *dir_ / "labels.txt";
  write_file_atomic(o.labels, "a\nb\n");
  write_identity_model(*dir_ / "identity.onnx");
  EXPECT_THAT(
      error_message<Error>([&] { runtime::OnnxPredictor::open(*dir_ / "identity.onnx", o); }),
      HasSubstr("identity.onnx: the model's inputs are not BERT's: it expects pixels: "
                "float [N, 3]; cola feeds input_ids, attention_mask"));
  write_file_atomic(*dir_ / "corrupt.onnx", "this is not protobuf");
  EXPECT_THAT(
      error_message<Error>([&] { runtime::OnnxPredictor::open(*dir_ / "corrupt.onnx", o); }),
      HasSubstr("corrupt.onnx: "));
  EXPECT_THAT(error_message<Error>([&] { runtime::OnnxPredictor::open(*dir_ / "nope.onnx", o); }),
              HasSubstr("nope.onnx: no such model file"));
  EXPECT_THAT(error_message<Error>([&] { model::open_torch_predictor(*dir_ / "nope", {}); }),
              HasSubstr("nope"));
}

TEST_F(Backends, SessionOptionsProfileAndSaveTheOptimizedGraph) {
  runtime::OnnxPredictorOptions o;
  o.session.allow_spinning = false;
  o.session.profile_prefix = (*dir_ / "profile").string();
  o.session.optimized_model = *dir_ / "optimized.onnx";
  o.session.memory_arena = false;
  {
    const auto p = runtime::OnnxPredictor::open(onnx(), o);
    p->predict(std::vector<std::string>{"It did not rain."});
  }  // the profile is written when the session ends
  EXPECT_TRUE(fs::is_regular_file(*dir_ / "optimized.onnx"));
  bool profiled = false;
  for (const auto& e : fs::directory_iterator(dir_->path())) {
    profiled |= e.path().filename().string().starts_with("profile");
  }
  EXPECT_TRUE(profiled);
  EXPECT_THAT(error_message<UsageError>([] { runtime::parse_graph_optimization("max"); }),
              HasSubstr("valid: disabled, basic, extended, all"));
}

}  // namespace
}  // namespace cola::test

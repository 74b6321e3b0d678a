// `cola export --quantize int8` and `cola quantize` through the real binary: the int8 tables, the
// metadata, the size, and one clear line for each way to get them wrong.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <nlohmann/json.hpp>

#include "core/file.h"
#include "runtime/onnx_predictor.h"
#include "runtime/ort_info.h"
#include "support/run_cli.h"
#include "support/shared_data.h"

namespace cola::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
namespace fs = std::filesystem;

class QuantizeCli : public ::testing::Test {
 protected:
  // One tiny training run and its fp32 export for the whole suite.
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    const auto r = run_cli(tiny_train_args((dir_->path() / "run").string(), 20));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto e =
        run_cli({"export", "--checkpoint", best().string(), "--output", fp32().string()});
    ASSERT_EQ(e.exit_code, 0) << e.err;
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  static fs::path best() { return dir_->path() / "run/checkpoints/best"; }
  static fs::path fp32() { return dir_->path() / "fp32.onnx"; }
  static fs::path dev() { return source_dir() / "data/sample/dev.tsv"; }
  static TempDir* dir_;
  TempDir out_;
};
TempDir* QuantizeCli::dir_ = nullptr;

nlohmann::json quantization_metadata(const fs::path& model) {
  onnx::ModelProto proto;
  EXPECT_TRUE(proto.ParseFromString(read_file(model)));
  for (const auto& p : proto.metadata_props()) {
    if (p.key() == "quantization") return nlohmann::json::parse(p.value());
  }
  return nullptr;
}

TEST_F(QuantizeCli, ExportWritesAValidatedInt8FileWithItsSettings) {
  const auto model = out_ / "int8.onnx";
  const auto r = run_cli({"export", "--checkpoint", best().string(), "--output", model.string(),
                          "--quantize", "int8", "--validate-data", dev().string()});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("int8 against LibTorch fp32"));
  EXPECT_THAT(r.out, HasSubstr("max |Δprob|"));
  EXPECT_THAT(r.out, HasSubstr("cosine"));
  EXPECT_THAT(r.out, HasSubstr("validation data: " + dev().string()));
  EXPECT_THAT(r.out, HasSubstr("argmax agreement"));
  EXPECT_THAT(r.out, Not(HasSubstr("FAIL")));
  const auto q = quantization_metadata(model);
  ASSERT_TRUE(q.is_object()) << "the settings are in the metadata";
  EXPECT_EQ(q["reduce_range"], true);
  EXPECT_EQ(q["weight_max"], 63);
  EXPECT_EQ(q["quantized_linears"], 7) << "one layer's six and the pooler";
  EXPECT_EQ(q["embeddings"], false);

  // `cola predict` reads it as it reads any export.
  const auto p = run_cli({"predict", "--model", model.string(), "The boy is sitting on a bench."});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  const auto manifest = nlohmann::json::parse(read_file(model.string() + ".manifest.json"));
  EXPECT_TRUE(manifest.dump().find("data_agreement") != std::string::npos) << manifest.dump();
}

TEST_F(QuantizeCli, QuantizeAFileWithEmbeddingsAndFullRange) {
  const auto model = out_ / "int8.onnx";
  const auto r =
      run_cli({"quantize", fp32().string(), "--output", model.string(), "--quantize-embeddings",
               "--full-range", "--validate-data", dev().string()});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("int8 against " + fp32().string()));
  EXPECT_THAT(r.out, HasSubstr("word embeddings int8"));
  const auto q = quantization_metadata(model);
  EXPECT_EQ(q["reduce_range"], false);
  EXPECT_EQ(q["weight_max"], 127);
  EXPECT_THAT(q["embeddings"].get<std::string>(), HasSubstr("word_embeddings"));
  // This model's vocabulary is small and stays in the metadata as text, so the file shrinks less
  // than bert-tiny's (quantize_test checks the 30% bound on a BERT-sized table).
  EXPECT_LT(fs::file_size(model), fs::file_size(fp32()) * 2 / 3);

  // The precision trap is named where it bites: writing full-range weights, and loading them,
  // each warn once on a CPU whose int8 kernel saturates, and never on one that does not.
  const auto kernel = runtime::int8_kernel();
  const auto p = run_cli({"predict", "--model", model.string(), "--timing", "A sentence."});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  for (const auto* err : {&r.err, &p.err}) {
    const auto warnings = count_occurrences(*err, "saturates its 16-bit sums");
    if (kernel.saturates) {
      EXPECT_EQ(warnings, 1u) << runtime::describe_machine() << "\n" << *err;
      EXPECT_THAT(*err, HasSubstr(cpu_info().model_name));
      EXPECT_THAT(*err, HasSubstr("--reduce-range"));
    } else {
      EXPECT_EQ(warnings, 0u) << runtime::describe_machine() << "\n" << *err;
    }
  }
  EXPECT_THAT(p.err, HasSubstr("timing: on " + runtime::describe_machine()))
      << "every figure names the machine it came from";
}

TEST_F(QuantizeCli, BadRequestsAreOneClearLine) {
  const auto model = (out_ / "int8.onnx").string();
  auto r =
      run_cli({"export", "--checkpoint", best().string(), "--output", model, "--quantize", "int4"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--quantize int4 is not supported; use int8"));
  r = run_cli(
      {"export", "--checkpoint", best().string(), "--output", model, "--quantize-embeddings"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("need --quantize int8"));
  r = run_cli({"quantize", fp32().string(), "--output", fp32().string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--output must differ from the input"));
  r = run_cli({"quantize", fp32().string(), "--output", model, "--full-range", "--reduce-range"});
  EXPECT_EQ(r.exit_code, 2);

  ASSERT_EQ(run_cli({"quantize", fp32().string(), "--output", model, "--no-validate"}).exit_code,
            0);
  r = run_cli({"quantize", model, "--output", (out_ / "twice.onnx").string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("already quantized"));
  EXPECT_EQ(count_lines(r.err), 1) << r.err;
  EXPECT_FALSE(fs::exists(out_ / "twice.onnx"));
}

TEST_F(QuantizeCli, HostileInputsAreOneLineAndWriteNothing) {
  const auto model = out_ / "int8.onnx";
  write_file_atomic(out_ / "junk.onnx", std::string("\x08\xff\xff\xff\xff\x0f junk", 12));
  auto r = run_cli({"quantize", (out_ / "junk.onnx").string(), "--output", model.string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("junk.onnx: not an ONNX model"));
  write_file_atomic(out_ / "bad.tsv", "src\t1\t\tA fine sentence.\nsrc\t7\t\tA bad label.\n");
  r = run_cli({"quantize", fp32().string(), "--output", model.string(), "--validate-data",
               (out_ / "bad.tsv").string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("bad.tsv:2:"));
  EXPECT_EQ(count_lines(r.err), 1) << r.err;
  EXPECT_FALSE(fs::exists(model));
}

TEST_F(QuantizeCli, AFileNotWrittenByColaExportIsRefused) {
  COLA_SHARED_PATH_OR_SKIP(seed, "golden/pytorch/seed-onnx/model.onnx");
  const auto r = run_cli({"quantize", seed.string(), "--output", (out_ / "q.onnx").string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("not by `cola export`"));
  EXPECT_FALSE(fs::exists(out_ / "q.onnx"));
}

}  // namespace
}  // namespace cola::test

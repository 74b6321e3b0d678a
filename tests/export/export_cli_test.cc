// `cola export` through the real binary: a checkpoint from a tiny `cola train` run becomes a
// validated ONNX file that ONNX Runtime runs, with the run's metrics inside.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include "core/file.h"
#include "runtime/ort_session.h"
#include "support/run_cli.h"
#include "support/shared_data.h"

namespace cola::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
namespace fs = std::filesystem;

class ExportCli : public ::testing::Test {
 protected:
  // One tiny training run for the whole suite (LibTorch's start-up dominates each CLI call).
  static void SetUpTestSuite() {
    run_ = new TempDir();
    const auto r = run_cli(tiny_train_args((run_->path() / "run").string(), 3));
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  static void TearDownTestSuite() {
    delete run_;
    run_ = nullptr;
  }
  static fs::path best() { return run_->path() / "run/checkpoints/best"; }
  static TempDir* run_;
  TempDir out_;
};
TempDir* ExportCli::run_ = nullptr;

std::string sha_line(const std::string& out) {
  const auto at = out.find("sha256: ");
  return at == std::string::npos ? "" : out.substr(at, 8 + 64);
}

TEST_F(ExportCli, ExportsAValidatedFileThatOnnxRuntimeRuns) {
  const auto model = out_ / "model.onnx";
  const auto r = run_cli({"export", "--checkpoint", best().string(), "--output", model.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("shape inference: logits [batch, 2]"));
  EXPECT_THAT(r.out, HasSubstr("max |Δ|"));
  EXPECT_THAT(r.out, HasSubstr("2x512"));
  EXPECT_THAT(r.out, Not(HasSubstr("FAIL")));
  // header, column names, 5 rows, wrote, sha256, manifest
  EXPECT_EQ(count_lines(r.out), 10) << r.out;

  const auto session = runtime::Session::open(model);
  ASSERT_EQ(session.inputs().size(), 2u);
  EXPECT_EQ(session.inputs()[0].dim_params, (std::vector<std::string>{"batch", "sequence"}));
  std::vector<int64_t> ids = {2, 40, 41, 3}, mask = {1, 1, 1, 1};
  const auto out = session.run({{"input_ids", ids, {1, 4}}, {"attention_mask", mask, {1, 4}}});
  EXPECT_EQ(out[0].shape, (std::vector<int64_t>{1, 2}));

  onnx::ModelProto proto;
  ASSERT_TRUE(proto.ParseFromString(read_file(model)));
  bool has_metrics = false;
  for (const auto& p : proto.metadata_props()) {
    if (p.key() == "validation_metrics") {
      has_metrics = true;
      EXPECT_THAT(p.value(), HasSubstr("valid/mcc"));
    }
  }
  EXPECT_TRUE(has_metrics) << "summary.json's best metrics are embedded";

  // Deterministic bytes: a second export prints the same hash.
  const auto again = run_cli({"export", "--checkpoint", best().string(), "--output",
                              (out_ / "again.onnx").string(), "--no-validate"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_THAT(again.out, HasSubstr("not validated"));
  EXPECT_THAT(again.out, Not(HasSubstr("max |Δ|")));
  EXPECT_EQ(sha_line(again.out), sha_line(r.out));
  EXPECT_FALSE(sha_line(r.out).empty());
}

TEST_F(ExportCli, Opset17WithProbabilitiesAndTokenTypes) {
  const auto model = out_ / "model.onnx";
  const auto r = run_cli({"export", "--checkpoint", best().string(), "--output", model.string(),
                          "--opset", "17", "--with-probabilities", "--token-type-ids"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("opset 17"));
  const auto session = runtime::Session::open(model);
  EXPECT_EQ(session.inputs().size(), 3u);
  EXPECT_EQ(session.outputs().size(), 2u);
}

TEST_F(ExportCli, AnUnsupportedOpsetIsAUsageError) {
  const auto r = run_cli({"export", "--checkpoint", best().string(), "--output",
                          (out_ / "m.onnx").string(), "--opset", "13"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "cola: error: --opset 13 is not supported; use 14 or 17\n");
  EXPECT_FALSE(fs::exists(out_ / "m.onnx"));
}

TEST_F(ExportCli, AMissingCheckpointIsOneLineNamingIt) {
  const auto r = run_cli({"export", "--checkpoint", (out_ / "missing").string(), "--output",
                          (out_ / "m.onnx").string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(count_lines(r.err), 1) << r.err;
  EXPECT_THAT(r.err, HasSubstr("loading checkpoint " + (out_ / "missing").string()));
  EXPECT_FALSE(fs::exists(out_ / "m.onnx"));
}

TEST_F(ExportCli, MissingFlagsAreUsageErrors) {
  const auto r = run_cli({"export", "--output", (out_ / "m.onnx").string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--checkpoint"));
}

// The exported file gets a manifest that `cola verify` checks, and a DVC file on request; a
// changed byte is named.
TEST_F(ExportCli, ManifestVerifiesAndCatchesATamperedFile) {
  const auto model = out_ / "model.onnx";
  const auto r = run_cli({"export", "--checkpoint", best().string(), "--output", model.string(),
                          "--no-validate", "--dvc"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(fs::exists(out_ / "model.onnx.manifest.json"));
  EXPECT_THAT(read_file(out_ / "model.onnx.dvc"), HasSubstr("hash: md5"));
  EXPECT_EQ(run_cli({"verify", model.string()}).exit_code, 0);
  auto bytes = read_file(model);
  bytes[bytes.size() / 2] = static_cast<char>(bytes[bytes.size() / 2] ^ 1);
  write_file_atomic(model, bytes);
  const auto bad = run_cli({"verify", model.string()});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.err, HasSubstr("model.onnx"));
}

}  // namespace
}  // namespace cola::test

// Bad input to the exporter gives one clear message naming what is wrong, and leaves no output.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/file.h"
#include "export/exporter.h"
#include "export_fixtures.h"
#include "support/error_message.h"
#include "support/shared_data.h"

namespace cola::exporter {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
namespace fs = std::filesystem;

class ExportErrors : public ::testing::Test {
 protected:
  void SetUp() override {
    fixtures::save_random_checkpoint(ckpt_, *fixtures::random_model(fixtures::tiny_config(), 1));
  }
  ExportRequest request(fs::path output = {}) {
    ExportRequest r{ckpt_, output.empty() ? tmp_ / "model.onnx" : output, {}, {}, {}, {}};
    r.options.validate = false;
    return r;
  }
  // Nothing but the checkpoint (and its vocab source) in the directory: no output, no temp file.
  void expect_nothing_written() {
    for (const auto& entry : fs::directory_iterator(tmp_.path())) {
      EXPECT_THAT(entry.path().filename().string(), ::testing::StartsWith("ckpt"));
    }
  }
  ::cola::test::TempDir tmp_;
  fs::path ckpt_ = tmp_ / "ckpt";
};

TEST_F(ExportErrors, UnsupportedOpsetIsAUsageError) {
  auto r = request();
  r.options.opset = 13;
  EXPECT_EQ(test::error_message<UsageError>([&] { export_checkpoint(r); }),
            "--opset 13 is not supported; use 14 or 17");
  expect_nothing_written();
}

TEST_F(ExportErrors, MissingCheckpointNamesIt) {
  auto r = request();
  r.checkpoint = tmp_ / "nope";
  EXPECT_THAT(test::error_message<Error>([&] { export_checkpoint(r); }),
              AllOf(HasSubstr("loading checkpoint"), HasSubstr("nope"),
                    HasSubstr("no such file or directory")));
  expect_nothing_written();
}

TEST_F(ExportErrors, CorruptWeightsNameTheFile) {
  const std::string weights = read_file(ckpt_ / "model.safetensors");
  write_file_atomic(ckpt_ / "model.safetensors", weights.substr(0, weights.size() / 2));
  EXPECT_THAT(test::error_message<Error>([&] { export_checkpoint(request()); }),
              HasSubstr("model.safetensors"));
  expect_nothing_written();
}

TEST_F(ExportErrors, UnwritableOutputNamesThePath) {
  write_file_atomic(tmp_ / "ckpt-file", "x");  // a file where a directory is needed
  const auto r = request(tmp_ / "ckpt-file" / "model.onnx");
  EXPECT_THAT(test::error_message<Error>([&] { export_checkpoint(r); }), HasSubstr("ckpt-file"));
  EXPECT_THAT(test::error_message<Error>([&] { export_checkpoint(request(tmp_.path())); }),
              HasSubstr("is a directory"));
}

TEST_F(ExportErrors, RelativePositionEmbeddingsCannotBeExpressed) {
  auto config = nlohmann::json::parse(read_file(ckpt_ / "config.json"));
  config["position_embedding_type"] = "relative_key";
  write_file_atomic(ckpt_ / "config.json", config.dump());
  EXPECT_THAT(test::error_message<Error>([&] { export_checkpoint(request()); }),
              AllOf(HasSubstr("config.json"), HasSubstr("position_embedding_type 'relative_key'")));
  expect_nothing_written();
}

TEST_F(ExportErrors, AVocabLargerThanTheEmbeddingTableIsRefused) {
  write_file_atomic(ckpt_ / "vocab.txt", read_file(ckpt_ / "vocab.txt") + "extra1\nextra2\n");
  EXPECT_THAT(test::error_message<Error>([&] { export_checkpoint(request()); }),
              AllOf(HasSubstr("vocab.txt"), HasSubstr("52 tokens"), HasSubstr("vocab_size is 50")));
  expect_nothing_written();
}

TEST_F(ExportErrors, ProbabilitiesForARegressionHeadAreAUsageError) {
  auto config = nlohmann::json::parse(read_file(ckpt_ / "config.json"));
  config["problem_type"] = "regression";
  write_file_atomic(ckpt_ / "config.json", config.dump());
  auto r = request();
  r.options.with_probabilities = true;
  EXPECT_THAT(test::error_message<UsageError>([&] { export_checkpoint(r); }),
              HasSubstr("problem_type 'regression'"));
}

}  // namespace
}  // namespace cola::exporter

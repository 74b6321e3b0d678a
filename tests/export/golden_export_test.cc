// The exported golden checkpoint against the logits of the independent reference implementation
// (../shared/golden/tiny-bert/README.md), through ONNX Runtime only: this proves the graph is
// standard BERT without trusting our LibTorch model.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "core/file.h"
#include "export/exporter.h"
#include "runtime/ort_session.h"
#include "support/shared_data.h"

namespace cola::exporter {
namespace {

constexpr double kTolerance = 1e-4;

class GoldenExport : public ::testing::TestWithParam<int64_t> {};

TEST_P(GoldenExport, EveryCaseMatchesTheReferenceLogits) {
  COLA_SHARED_PATH_OR_SKIP(dir, "golden/tiny-bert");
  COLA_SHARED_PATH_OR_SKIP(cases_path, "golden/tiny-bert/cases.jsonl");
  test::TempDir tmp;
  ExportRequest request{dir, tmp / "model.onnx", {}, {}, {}, {}};
  request.options.opset = GetParam();
  request.options.with_probabilities = true;
  const auto result = export_checkpoint(request);
  EXPECT_TRUE(result.validation.passed());

  const auto session = runtime::Session::open(tmp / "model.onnx");
  std::ifstream in(cases_path);
  std::string line;
  int cases = 0;
  while (std::getline(in, line)) {
    const auto c = nlohmann::json::parse(line);
    auto ids = c["input_ids"].get<std::vector<int64_t>>();
    std::vector<int64_t> mask(ids.size(), 1);
    const std::vector<int64_t> shape = {1, static_cast<int64_t>(ids.size())};
    const auto out = session.run({{"input_ids", ids, shape}, {"attention_mask", mask, shape}});
    const auto logits = c["logits"].get<std::vector<double>>();
    const auto probs = c["probabilities"].get<std::vector<double>>();
    ASSERT_EQ(out[0].data.size(), logits.size());
    for (size_t j = 0; j < logits.size(); ++j) {
      EXPECT_NEAR(out[0].data[j], logits[j], kTolerance) << "case " << cases << " " << c["text"];
      EXPECT_NEAR(out[1].data[j], probs[j], kTolerance) << "case " << cases;
    }
    ++cases;
  }
  EXPECT_EQ(cases, 338);
}

// The padded batch (rows of different lengths) in one run.
TEST_P(GoldenExport, PaddedBatchMatchesTheReference) {
  COLA_SHARED_PATH_OR_SKIP(dir, "golden/tiny-bert");
  COLA_SHARED_PATH_OR_SKIP(batch_path, "golden/tiny-bert/padded_batch.json");
  test::TempDir tmp;
  ExportRequest request{dir, tmp / "model.onnx", {}, {}, {}, {}};
  request.options.opset = GetParam();
  request.options.validate = false;  // the test above validates; this one checks the reference
  export_checkpoint(request);
  const auto batch = nlohmann::json::parse(read_file(batch_path));
  std::vector<int64_t> ids, mask;
  for (const auto& row : batch["input_ids"]) {
    for (const auto& v : row) ids.push_back(v.get<int64_t>());
  }
  for (const auto& row : batch["attention_mask"]) {
    for (const auto& v : row) mask.push_back(v.get<int64_t>());
  }
  const auto rows = static_cast<int64_t>(batch["input_ids"].size());
  const std::vector<int64_t> shape = {rows, static_cast<int64_t>(ids.size()) / rows};
  const auto out = runtime::Session::open(tmp / "model.onnx")
                       .run({{"input_ids", ids, shape}, {"attention_mask", mask, shape}});
  const auto& expected = batch["logits"];
  ASSERT_EQ(out[0].shape, (std::vector<int64_t>{rows, 2}));
  for (int64_t i = 0; i < rows; ++i) {
    for (int64_t j = 0; j < 2; ++j) {
      EXPECT_NEAR(out[0].data[static_cast<size_t>(i * 2 + j)],
                  expected[static_cast<size_t>(i)][static_cast<size_t>(j)].get<double>(),
                  kTolerance)
          << "row " << i;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Opsets, GoldenExport, ::testing::Values(14, 17),
                         [](const auto& p) { return "opset" + std::to_string(p.param); });

}  // namespace
}  // namespace cola::exporter

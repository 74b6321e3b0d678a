// The correctness bar: our BERT against logits computed by an independent reference
// implementation (../shared/golden/tiny-bert/README.md), on every case, within 1e-4.
#include <torch/types.h>
#include <torch/utils.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "core/file.h"
#include "model/checkpoint.h"
#include "support/error_message.h"
#include "support/shared_data.h"

namespace cola::model {
namespace {

constexpr double kTolerance = 1e-4;  // README: tanh-GELU is off by ~2e-3, so this separates

// The model tests run in one process on a shared 2-core machine: one LibTorch thread.
class SingleThread : public ::testing::Environment {
 public:
  void SetUp() override { torch::set_num_threads(1); }
};
const auto* const kSingleThread = ::testing::AddGlobalTestEnvironment(new SingleThread);

torch::Tensor ids_tensor(const nlohmann::json& rows) {
  std::vector<int64_t> flat;
  for (const auto& row : rows) {
    for (const auto& id : row) flat.push_back(id.get<int64_t>());
  }
  const auto batch = static_cast<int64_t>(rows.size());
  return torch::tensor(flat, torch::kLong).view({batch, -1});
}

// padded_batch.json with its input_ids and attention_mask as [B, S] int64 tensors.
struct PaddedBatchFile {
  nlohmann::json json;
  torch::Tensor ids;
  torch::Tensor mask;
};

PaddedBatchFile read_padded_batch(const std::filesystem::path& path) {
  auto json = nlohmann::json::parse(read_file(path));
  auto ids = ids_tensor(json["input_ids"]);
  auto mask = ids_tensor(json["attention_mask"]);
  return {std::move(json), std::move(ids), std::move(mask)};
}

class Golden : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const auto dir = test::shared_dir();
    if (!dir || !std::filesystem::exists(*dir / "golden/tiny-bert/model.safetensors")) return;
    checkpoint_ = new Checkpoint(load_checkpoint(*dir / "golden/tiny-bert"));
  }
  static void TearDownTestSuite() {
    delete checkpoint_;
    checkpoint_ = nullptr;
  }
  static Checkpoint* checkpoint_;
};
Checkpoint* Golden::checkpoint_ = nullptr;

TEST_F(Golden, EveryCaseMatchesTheReferenceLogits) {
  COLA_SHARED_PATH_OR_SKIP(path, "golden/tiny-bert/cases.jsonl");
  ASSERT_NE(checkpoint_, nullptr);
  EXPECT_TRUE(checkpoint_->notes.empty());
  auto& model = checkpoint_->model;
  ASSERT_FALSE(model->is_training());
  torch::NoGradGuard no_grad;
  std::ifstream in(path);
  std::string line;
  int cases = 0;
  double worst = 0;
  while (std::getline(in, line)) {
    const auto c = nlohmann::json::parse(line);
    const auto ids = ids_tensor(nlohmann::json::array({c["input_ids"]}));
    const auto logits = model->forward(ids, torch::ones_like(ids)).squeeze(0);
    const auto expected = c["logits"].get<std::vector<double>>();
    ASSERT_EQ(logits.size(0), static_cast<int64_t>(expected.size()));
    for (size_t j = 0; j < expected.size(); ++j) {
      const double got = logits[static_cast<int64_t>(j)].item<double>();
      worst = std::max(worst, std::abs(got - expected[j]));
      EXPECT_NEAR(got, expected[j], kTolerance) << "case " << cases << " '" << c["text"] << "'";
    }
    ++cases;
  }
  EXPECT_EQ(cases, 338);
  RecordProperty("max_abs_logit_error", std::to_string(worst));
}

TEST_F(Golden, PaddedBatchMatchesAndPaddingChangesNothing) {
  COLA_SHARED_PATH_OR_SKIP(path, "golden/tiny-bert/padded_batch.json");
  ASSERT_NE(checkpoint_, nullptr);
  auto& model = checkpoint_->model;
  torch::NoGradGuard no_grad;
  const auto [batch, ids, mask] = read_padded_batch(path);
  const auto logits = model->forward(ids, mask);
  const auto& expected = batch["logits"];
  ASSERT_EQ(logits.size(0), static_cast<int64_t>(expected.size()));
  for (int64_t i = 0; i < logits.size(0); ++i) {
    // Each row alone, unpadded: padding must not change its logits beyond float rounding.
    const int64_t length = mask[i].sum().item<int64_t>();
    const auto alone = model->forward(ids[i].slice(0, 0, length).unsqueeze(0)).squeeze(0);
    for (int64_t j = 0; j < logits.size(1); ++j) {
      const double want = expected[static_cast<size_t>(i)][static_cast<size_t>(j)].get<double>();
      EXPECT_NEAR(logits[i][j].item<double>(), want, kTolerance) << "row " << i;
      EXPECT_NEAR(logits[i][j].item<double>(), alone[j].item<double>(), kTolerance) << "row " << i;
    }
  }
}

TEST_F(Golden, PerLayerOutputsAndExplicitTokenTypes) {
  COLA_SHARED_PATH_OR_SKIP(path, "golden/tiny-bert/padded_batch.json");
  ASSERT_NE(checkpoint_, nullptr);
  auto& model = checkpoint_->model;
  torch::NoGradGuard no_grad;
  const auto [batch, ids, mask] = read_padded_batch(path);
  const auto all = model->forward_all(ids, mask, torch::zeros_like(ids));
  ASSERT_EQ(all.layers.size(), 2u);
  EXPECT_EQ(all.embeddings.sizes(), (std::vector<int64_t>{8, 14, 64}));
  EXPECT_EQ(all.layers[1].sizes(), (std::vector<int64_t>{8, 14, 64}));
  EXPECT_EQ(all.pooled.sizes(), (std::vector<int64_t>{8, 64}));
  // forward() computes the last layer for [CLS] only: the same logits up to float rounding, which
  // at logits of about 16 is a few ulps of 2e-6.
  EXPECT_TRUE(torch::allclose(all.logits, model->forward(ids, mask), /*rtol=*/2e-6, /*atol=*/1e-6));
}

}  // namespace
}  // namespace cola::model

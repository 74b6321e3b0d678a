// `cola predict` and `cola bench` on the Python workflow's torch.onnx.export file
// (golden/pytorch/seed-onnx: inputs [batch_size, 128], output "output", no metadata), through the
// real binary with --vocab and --labels. ORT only: this runs in torch-free builds.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <tuple>

#include "core/file.h"
#include "runtime/onnx_wire.h"
#include "support/run_cli.h"
#include "support/shared_data.h"

namespace cola::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
namespace fs = std::filesystem;

std::vector<nlohmann::json> json_lines(const std::string& text) {
  std::vector<nlohmann::json> v;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) v.push_back(nlohmann::json::parse(line));
  return v;
}

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// --vocab and --labels as a user of the seed gives them: tiny-bert's vocab.txt and config.json.
std::vector<std::string> seed_args(const std::string& command, const fs::path& model,
                                   const fs::path& tiny_bert) {
  return {command,
          "--model",
          model.string(),
          "--vocab",
          (tiny_bert / "vocab.txt").string(),
          "--labels",
          (tiny_bert / "config.json").string()};
}

#define SEED_PATHS_OR_SKIP                                               \
  COLA_SHARED_PATH_OR_SKIP(seed, "golden/pytorch/seed-onnx/model.onnx"); \
  COLA_SHARED_PATH_OR_SKIP(tiny_bert, "golden/tiny-bert")

// The 338 golden cases, read from cases.jsonl in place (its "text" field): the seed's JSON lines
// in input order, with tiny-bert's probabilities, and one note that every sentence is padded.
TEST(SeedOnnxCli, PredictGivesTheGoldenProbabilities) {
  SEED_PATHS_OR_SKIP;
  auto args = seed_args("predict", seed, tiny_bert);
  args.insert(args.end(), {"--input", (tiny_bert / "cases.jsonl").string()});
  const auto r = run_cli(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto out = json_lines(r.out);
  std::ifstream in(tiny_bert / "cases.jsonl");
  size_t i = 0;
  double max_diff = 0;
  for (std::string line; std::getline(in, line); ++i) {
    const auto expected = nlohmann::json::parse(line);
    ASSERT_LT(i, out.size());
    EXPECT_EQ(out[i]["sentence"], expected["text"]);
    ASSERT_EQ(out[i]["predictions"].size(), 2u);
    EXPECT_EQ(out[i]["predictions"][0]["label"], "unacceptable");
    EXPECT_EQ(out[i]["predictions"][1]["label"], "acceptable");
    for (size_t k = 0; k < 2; ++k) {
      const double d = std::abs(out[i]["predictions"][k]["score"].get<double>() -
                                expected["probabilities"][k].get<double>());
      max_diff = std::max(max_diff, d);
      EXPECT_LE(d, 1e-4) << expected["text"];
    }
  }
  EXPECT_EQ(i, 338u);
  EXPECT_EQ(out.size(), 338u);
  std::printf("cola predict on seed-onnx: max |Δscore| over %zu cases: %.3g\n", i, max_diff);
  EXPECT_EQ(count(r.err, seed.string() +
                             ": the model takes exactly 128 tokens, so every sentence is padded "
                             "(or cut) to 128\n"),
            1u)
      << r.err;
  EXPECT_EQ(count_lines(r.err), 1) << r.err;
  EXPECT_THAT(r.err, Not(HasSubstr("truncated")));
}

// Labels that do not match the logits' width: one line naming what the model outputs.
TEST(SeedOnnxCli, AModelWithoutLogitsForTheLabelsIsOneLine) {
  SEED_PATHS_OR_SKIP;
  TempDir tmp;
  write_file_atomic(tmp / "labels.txt", "a\nb\nc\n");
  auto args = seed_args("predict", seed, tiny_bert);
  args.back() = (tmp / "labels.txt").string();
  args.push_back("Hi.");
  const auto r = run_cli(args);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "cola: error: " + seed.string() +
                       ": no output holds the logits (float [batch, 3], one score per label): it "
                       "outputs output: float [batch_size, 2]\n");
}

TEST(SeedOnnxCli, ImpossibleCountsAreUsageErrors) {
  SEED_PATHS_OR_SKIP;
  for (const auto& [flag, value, message] :
       {std::tuple{"--threads", "-3", "--threads: must be at least 0, got -3"},
        std::tuple{"--batch-size", "0", "--batch-size: must be at least 1, got 0"},
        std::tuple{"--max-length", "1", "--max-length: must be at least 2, got 1"}}) {
    auto args = seed_args("predict", seed, tiny_bert);
    args.insert(args.end(), {flag, value, "Hi."});
    const auto r = run_cli(args);
    EXPECT_EQ(r.exit_code, 2) << flag;
    EXPECT_EQ(r.err, std::string("cola: error: ") + message + "\n");
  }
  auto args = seed_args("predict", seed, tiny_bert);
  args.insert(args.end(), {"--set", "inference.threads=-1", "Hi."});
  const auto r = run_cli(args);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, ::testing::HasSubstr("inference.threads: -1 is not allowed"));
}

// The seed rewritten with a static batch axis of 4, as torch.onnx.export writes it without
// dynamic_axes: --batch-size 32 gives way, with a note, and 5 sentences come back in order.
TEST(SeedOnnxCli, AStaticBatchAxisOverridesTheBatchSize) {
  SEED_PATHS_OR_SKIP;
  TempDir tmp;
  const auto model = tmp / "static.onnx";
  write_file_atomic(model, with_static_dim(read_file(seed), "batch_size", 4));
  auto args = seed_args("predict", model, tiny_bert);
  args.insert(args.end(), {"--batch-size", "32", "--timing", "It did not rain.", "a", "b", "c",
                           "The girls played in the water."});
  const auto r = run_cli(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr(model.string() +
                               ": the model takes batches of exactly 4 sentences, so the batch "
                               "size is 4, not 32 (a short last batch is filled with empty rows)"));
  EXPECT_THAT(r.err, HasSubstr("per batch of <= 4"));
  EXPECT_THAT(r.err, HasSubstr("over 2 batches"));
  const auto out = json_lines(r.out);
  ASSERT_EQ(out.size(), 5u);
  EXPECT_EQ(out[0]["sentence"], "It did not rain.");
  EXPECT_NEAR(out[0]["predictions"][1]["score"].get<double>(), 0.999999, 1e-4);  // golden case 2
  EXPECT_EQ(out[4]["sentence"], "The girls played in the water.");
}

// `cola bench` with the seed alone (no --checkpoint: no LibTorch needed). With a static 128 axis,
// every padding mode pads to 128, so the table says so instead of a dynamic/fixed ratio.
TEST(SeedOnnxCli, BenchSaysEveryPaddingIsTheModels128) {
  SEED_PATHS_OR_SKIP;
  auto args = seed_args("bench", seed, tiny_bert);
  args.insert(args.end(), {"--quick", "--synthetic", "16"});
  auto r = run_cli(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out,
              HasSubstr("note: onnx: the model takes exactly 128 tokens, so the dynamic, bucketed "
                        "and fixed cells all pad every sentence to 128 (no dynamic/fixed ratio)"));
  EXPECT_THAT(r.out, HasSubstr("| onnx | 1 | 8 | bucketed |"));
  EXPECT_EQ(count(r.out, "| - (all 128) |\n"), 4u) << r.out;  // dynamic and bucketed, batch 1, 8
  args.push_back("--json");
  r = run_cli(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["cells"].size(), 6u);  // 1 backend x 2 batch sizes x 3 paddings
  for (const auto& c : j["cells"]) {
    EXPECT_EQ(c["static_seq_len"], 128) << c.dump();
    EXPECT_FALSE(c.contains("over_fixed")) << c.dump();
    EXPECT_GT(c["sentences_per_second"].get<double>(), 0) << c.dump();
  }
}

// `cola bench --compare-model`: a second file (here a copy of the seed) in the same cells as
// backend onnx:<stem>, with its sentences/s over --model's; without --model, one usage line.
TEST(SeedOnnxCli, BenchComparesASecondModelCellByCell) {
  SEED_PATHS_OR_SKIP;
  TempDir tmp;
  const auto copy = tmp / "seed-int8.onnx";
  write_file_atomic(copy, read_file(seed));
  auto args = seed_args("bench", seed, tiny_bert);
  args.insert(args.end(), {"--compare-model", copy.string(), "--quick", "--synthetic", "8"});
  auto r = run_cli(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("baseline: onnx = " + seed.string() +
                               "; compared: onnx:seed-int8 = " + copy.string() + "; "));
  EXPECT_THAT(r.out, HasSubstr("| ort/torch | over baseline | dynamic/fixed |\n"));
  EXPECT_THAT(r.out, HasSubstr("| onnx | 1 | 8 | bucketed |"));
  EXPECT_THAT(r.out, HasSubstr("| onnx:seed-int8 | 1 | 8 | bucketed |"));
  args.push_back("--json");
  r = run_cli(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["comparison"]["baseline_model"], seed.string());
  EXPECT_EQ(j["comparison"]["compared_model"], copy.string());
  ASSERT_EQ(j["cells"].size(), 12u);  // 2 files x 2 batch sizes x 3 paddings
  std::map<std::string, int> cells;
  for (const auto& c : j["cells"]) {
    const std::string backend = c["backend"];
    ++cells[backend];
    EXPECT_EQ(c.contains("over_baseline"), backend == "onnx:seed-int8") << c.dump();
    if (c.contains("over_baseline")) {
      EXPECT_GT(c["over_baseline"].get<double>(), 0) << c.dump();
    }
  }
  EXPECT_EQ(cells, (std::map<std::string, int>{{"onnx", 6}, {"onnx:seed-int8", 6}}));

  r = run_cli({"bench", "--compare-model", copy.string(), "--quick"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "cola: error: --compare-model needs --model, the baseline it is timed against\n");
}

}  // namespace
}  // namespace cola::test

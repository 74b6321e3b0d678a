// OnnxPredictor on a file cola did not write: the Python workflow's torch.onnx.export of the
// tiny-bert golden (golden/pytorch/seed-onnx: opset 10, inputs [batch_size, 128], output "output",
// no metadata), given --vocab and --labels. Its 338 cases must give tiny-bert's logits, and a
// copy with a static batch axis (rewritten here at the protobuf wire level, see onnx_wire.h) must
// give them too, through batches filled up with empty rows. ORT only: no LibTorch, no libonnx.
#include "runtime/onnx_predictor.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <utility>

#include "core/error.h"
#include "core/file.h"
#include "runtime/onnx_wire.h"
#include "support/error_message.h"
#include "support/shared_data.h"

namespace cola::runtime {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
namespace fs = std::filesystem;

constexpr char kSeed[] = "golden/pytorch/seed-onnx/model.onnx";
constexpr char kTinyBert[] = "golden/tiny-bert";

struct GoldenCase {
  std::string text;
  std::vector<int64_t> input_ids;
  std::vector<float> logits, probabilities;
};

std::vector<GoldenCase> read_cases(const fs::path& path) {
  std::vector<GoldenCase> cases;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    const auto j = nlohmann::json::parse(line);
    cases.push_back({j["text"].get<std::string>(), j["input_ids"].get<std::vector<int64_t>>(),
                     j["logits"].get<std::vector<float>>(),
                     j["probabilities"].get<std::vector<float>>()});
  }
  return cases;
}

// The seed's file as `cola predict --vocab ... --labels config.json` opens it.
OnnxPredictorOptions seed_options(const fs::path& tiny_bert, int64_t batch_size = 32) {
  OnnxPredictorOptions o;
  o.predict.batch_size = batch_size;
  o.predict.max_length = 128;
  o.vocab = tiny_bert / "vocab.txt";
  o.labels = tiny_bert / "config.json";  // its id2label
  return o;
}

// Runs every case through the predictor's own options (fitted to the model's static axes) with
// forward(), and through predict(); returns the largest |Δlogit| against the golden.
double check_golden(const OnnxPredictor& p, const std::vector<GoldenCase>& cases) {
  const auto& o = p.options();
  double max_diff = 0;
  std::vector<text::Encoding> encodings(cases.size());
  std::vector<std::span<const int64_t>> rows;
  text::PaddedBatch batch;
  std::vector<float> logits;
  for (size_t first = 0; first < cases.size(); first += static_cast<size_t>(o.batch_size)) {
    const size_t end = std::min(cases.size(), first + static_cast<size_t>(o.batch_size));
    rows.clear();
    for (size_t i = first; i < end; ++i) {
      p.tokenizer().encode(cases[i].text, {.max_length = o.max_length}, encodings[i]);
      EXPECT_EQ(encodings[i].ids, cases[i].input_ids) << cases[i].text;
      EXPECT_FALSE(encodings[i].truncated) << cases[i].text;
      rows.emplace_back(encodings[i].ids);
    }
    const std::vector<int64_t> empty = {101, 102};  // [CLS] [SEP]: a static batch is filled up
    while (std::cmp_less(rows.size(), p.fixed_shape().batch)) rows.emplace_back(empty);
    text::pad_batch(rows, o.padding, o.max_length, 0, batch);
    p.forward(batch, logits);
    for (size_t i = first; i < end; ++i) {
      for (size_t k = 0; k < 2; ++k) {
        const auto d =
            static_cast<double>(std::abs(logits[(i - first) * 2 + k] - cases[i].logits[k]));
        max_diff = std::max(max_diff, d);
        EXPECT_LE(d, 1e-4) << cases[i].text << " logit " << k;
      }
    }
  }
  std::vector<std::string> texts;
  texts.reserve(cases.size());
  for (const auto& c : cases) texts.push_back(c.text);
  const auto predictions = p.predict(texts);
  for (size_t i = 0; i < cases.size(); ++i) {
    EXPECT_EQ(predictions[i].scores.size(), 2u);
    for (size_t k = 0; k < std::min<size_t>(2, predictions[i].scores.size()); ++k) {
      EXPECT_NEAR(predictions[i].scores[k], cases[i].probabilities[k], 1e-4) << cases[i].text;
    }
  }
  return max_diff;
}

TEST(SeedOnnx, TheGoldenCasesGiveTinyBertsLogits) {
  COLA_SHARED_PATH_OR_SKIP(seed, kSeed);
  COLA_SHARED_PATH_OR_SKIP(tiny_bert, kTinyBert);
  const auto cases = read_cases(tiny_bert / "cases.jsonl");
  ASSERT_EQ(cases.size(), 338u);
  const auto p = OnnxPredictor::open(seed, seed_options(tiny_bert));
  EXPECT_THAT(p->labels(), ElementsAre("unacceptable", "acceptable"));
  // Only the batch axis is dynamic: every row is padded to 128, batches keep the size asked for.
  EXPECT_EQ(p->fixed_shape().batch, 0);
  EXPECT_EQ(p->fixed_shape().seq_len, 128);
  EXPECT_EQ(p->options().max_length, 128);
  EXPECT_EQ(p->options().padding, text::Padding::max_length);
  EXPECT_EQ(p->options().batch_size, 32);
  const double max_diff = check_golden(*p, cases);
  RecordProperty("max_abs_logit_diff", std::to_string(max_diff));
  std::printf("seed-onnx: max |Δlogit| over %zu cases: %.3g\n", cases.size(), max_diff);
}

// A max length asked for cannot shorten the model's 128, nor can a padding mode.
TEST(SeedOnnx, ItsStaticSequenceAxisOverridesTheOptions) {
  COLA_SHARED_PATH_OR_SKIP(seed, kSeed);
  COLA_SHARED_PATH_OR_SKIP(tiny_bert, kTinyBert);
  auto o = seed_options(tiny_bert);
  o.predict.max_length = 16;
  const auto p = OnnxPredictor::open(seed, o);
  EXPECT_EQ(p->options().max_length, 128);
  p->set_options({.batch_size = 3, .max_length = 512, .padding = text::Padding::longest});
  EXPECT_EQ(p->options().max_length, 128);
  EXPECT_EQ(p->options().padding, text::Padding::max_length);
  EXPECT_EQ(p->options().batch_size, 3);
  const auto out = p->predict(std::vector<std::string>{"It did not rain.", "a", "b c", "d"});
  ASSERT_EQ(out.size(), 4u);
  EXPECT_NEAR(out[0].scores[1], 0.999999, 1e-4);  // golden case 2
}

TEST(SeedOnnx, TheLogitsAreTheOutputNamedOutput) {
  COLA_SHARED_PATH_OR_SKIP(seed, kSeed);
  COLA_SHARED_PATH_OR_SKIP(tiny_bert, kTinyBert);
  const auto p = OnnxPredictor::open(seed, seed_options(tiny_bert));
  EXPECT_EQ(p->logits_output(), "output");
  ASSERT_EQ(p->session().outputs().size(), 1u);
  EXPECT_EQ(shape_text(p->session().outputs()[0]), "[batch_size, 2]");
  // With three labels, no output has the logits' shape: the message lists what there is.
  test::TempDir tmp;
  write_file_atomic(tmp / "labels.txt", "a\nb\nc\n");
  auto o = seed_options(tiny_bert);
  o.labels = tmp / "labels.txt";
  EXPECT_EQ(test::error_message<Error>([&] { OnnxPredictor::open(seed, o); }),
            seed.string() +
                ": no output holds the logits (float [batch, 3], one score per label): it "
                "outputs output: float [batch_size, 2]");
}

TEST(SeedOnnx, AShapeTheModelCannotTakeIsOneLineNamingTheInput) {
  COLA_SHARED_PATH_OR_SKIP(seed, kSeed);
  const auto session = Session::open(seed);
  EXPECT_EQ(shape_text(session.inputs()[0]), "[batch_size, 128]");
  const std::vector<int64_t> ids = {101, 2009, 2106, 2025, 4542, 1012, 102};
  const std::vector<int64_t> mask(ids.size(), 1);
  const int64_t shape[] = {1, 7};
  const Int64View inputs[] = {{"input_ids", ids, shape}, {"attention_mask", mask, shape}};
  std::vector<float> out(2);
  const int64_t out_shape[] = {1, 2};
  const std::string message =
      test::error_message<Error>([&] { session.run_into(inputs, "output", out, out_shape); });
  EXPECT_EQ(message,
            seed.string() + ": input 'input_ids' takes shape [batch_size, 128], got [1, 7]");
  EXPECT_THAT(message, Not(HasSubstr("\n")));
  // The same through run(), and the rank too.
  EXPECT_EQ(test::error_message<Error>([&] {
              session.run({{"input_ids", ids, {7}}, {"attention_mask", mask, {1, 7}}});
            }),
            seed.string() + ": input 'input_ids' takes shape [batch_size, 128], got [7]");
}

// A static batch axis as torch.onnx.export writes one without dynamic_axes: [4, 128]. The 338
// cases (84 batches of 4 and one of 2, filled up with 2 empty rows) still give the golden logits,
// and a batch size asked for gives way to the model's.
TEST(StaticBatch, BatchesAreFilledUpToTheModelsSizeAndTheFillerDropped) {
  COLA_SHARED_PATH_OR_SKIP(seed, kSeed);
  COLA_SHARED_PATH_OR_SKIP(tiny_bert, kTinyBert);
  test::TempDir tmp;
  write_file_atomic(tmp / "static.onnx", test::with_static_dim(read_file(seed), "batch_size", 4));
  const auto p = OnnxPredictor::open(tmp / "static.onnx", seed_options(tiny_bert, 32));
  EXPECT_EQ(shape_text(p->session().inputs()[0]), "[4, 128]");
  EXPECT_EQ(shape_text(p->session().inputs()[1]), "[4, 128]");
  EXPECT_EQ(p->fixed_shape().batch, 4);
  EXPECT_EQ(p->fixed_shape().seq_len, 128);
  EXPECT_EQ(p->options().batch_size, 4);
  const auto cases = read_cases(tiny_bert / "cases.jsonl");
  ASSERT_EQ(cases.size() % 4, 2u);  // the last batch really is short
  check_golden(*p, cases);
  // One text alone: a batch of 1 real row and 3 empty ones.
  const auto one = p->predict(std::vector<std::string>{cases[1].text});
  ASSERT_EQ(one.size(), 1u);
  EXPECT_NEAR(one[0].scores[1], cases[1].probabilities[1], 1e-4);
  // Fed a batch of 2 directly, the session says what the model takes.
  const std::vector<int64_t> ids(size_t{2} * 128, 0);
  EXPECT_EQ(
      test::error_message<Error>([&] {
        p->session().run({{"input_ids", ids, {2, 128}}, {"attention_mask", ids, {2, 128}}});
      }),
      (tmp / "static.onnx").string() + ": input 'input_ids' takes shape [4, 128], got [2, 128]");
}

}  // namespace
}  // namespace cola::runtime

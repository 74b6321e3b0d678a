// The backend-independent half of prediction: micro-batching and order restoration, the input
// reader, labels, the output format and latency quantiles. The backends themselves are tested
// against each other in backends_test.cc.
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/error.h"
#include "core/file.h"
#include "predict/bench.h"
#include "predict/input.h"
#include "predict/labels.h"
#include "predict/latency.h"
#include "predict/output.h"
#include "predict/predictor.h"
#include "predict/stream.h"
#include "support/error_message.h"
#include "support/shared_data.h"

namespace cola::predict {
namespace {

using test::error_message;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

text::Tokenizer small_tokenizer() {
  return text::Tokenizer(text::Vocab::from_tokens(
      {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "a", "b", "c", "d"}, "test vocab"));
}

// A real Predictor whose "model" is a known function of its input: logit 0 is the number of real
// tokens, logit 1 the padded width. That makes every row's result tell which text and which
// batch it went through, so the tests can see sorting, padding and order restoration.
// With a FixedShape it stands for an ONNX file with static axes, and checks that it is fed them.
class LengthModel final : public Predictor {
 public:
  explicit LengthModel(PredictOptions o, FixedShape fixed = {})
      : Predictor(small_tokenizer(), {"len", "width"}, o, fixed) {}
  void forward(const text::PaddedBatch& b, std::vector<float>& logits) const override {
    if ((fixed_shape().batch > 0 && b.batch != fixed_shape().batch) ||
        (fixed_shape().seq_len > 0 && b.seq_len != fixed_shape().seq_len)) {
      throw Error("fed a shape the model cannot take");
    }
    logits.assign(static_cast<size_t>(b.batch * 2), 0);
    for (int64_t r = 0; r < b.batch; ++r) {
      for (int64_t c = 0; c < b.seq_len; ++c) {
        logits[r * 2] += static_cast<float>(b.attention_mask[r * b.seq_len + c]);
      }
      logits[r * 2 + 1] = static_cast<float>(b.seq_len);
    }
    widths.push_back(b.seq_len);
    rows.push_back(b.batch);
    last_ids.assign(b.input_ids.begin(), b.input_ids.end());
  }
  std::string_view backend() const override { return "length"; }
  mutable std::vector<int64_t> widths, rows, last_ids;
};

// The logits back from softmaxed scores: their difference is log(p0 / p1).
float len_minus_width(const Prediction& p) { return std::log(p.scores[0] / p.scores[1]); }

TEST(Predictor, SortsIntoMicroBatchesAndRestoresInputOrder) {
  LengthModel model({.batch_size = 2});
  const std::vector<std::string> texts = {"a b c d a b", "a", "a b c", "b", "a b c d"};
  const auto out = model.predict(texts);
  ASSERT_EQ(out.size(), texts.size());
  // Sorted lengths (with [CLS]/[SEP]) 3,3 | 5,6 | 8: each batch pads only to its own longest.
  EXPECT_THAT(model.widths, ElementsAre(3, 6, 8));
  // Per input position: real length - padded width of the batch it ran in.
  const float expected[] = {8 - 8, 3 - 3, 5 - 6, 3 - 3, 6 - 6};
  for (size_t i = 0; i < texts.size(); ++i) {
    EXPECT_NEAR(len_minus_width(out[i]), expected[i], 1e-4) << texts[i];
    EXPECT_NEAR(out[i].scores[0] + out[i].scores[1], 1.0, 1e-6);
  }
}

TEST(BatchPlan, CutsWherePaddingCostsMoreThanARun) {
  std::vector<int64_t> sizes;
  const std::vector<int64_t> lengths = {3, 3, 3, 3, 40, 40};
  // A run costs 10 token-times: padding four short rows to 40 would cost 148; a second run, 10.
  plan_batches(lengths, 100, {.per_run = 10, .per_token = 1}, sizes);
  EXPECT_THAT(sizes, ElementsAre(4, 2));
  // A run dearer than all the padding: one pass.
  plan_batches(lengths, 100, {.per_run = 1000, .per_token = 1}, sizes);
  EXPECT_THAT(sizes, ElementsAre(6));
  // max_rows still caps a pass; an unknown cost cuts every max_rows rows.
  plan_batches(lengths, 3, {.per_run = 1000, .per_token = 1}, sizes);
  EXPECT_THAT(sizes, ElementsAre(3, 3));
  plan_batches(lengths, 4, {}, sizes);
  EXPECT_THAT(sizes, ElementsAre(4, 2));
  plan_batches({}, 4, {.per_run = 1, .per_token = 1}, sizes);
  EXPECT_TRUE(sizes.empty());
}

TEST(Predictor, RunsTheCheapestPassesForAKnownCostAndRestoresInputOrder) {
  LengthModel model({.batch_size = 1 << 20});
  const std::vector<std::string> texts = {"a b c d a b c d a b c d a b", "a", "b", "a b"};
  Workspace ws;
  ws.encodings.resize(texts.size());
  for (size_t i = 0; i < texts.size(); ++i) {
    model.tokenizer().encode(texts[i], {.max_length = 64, .with_tokens = false}, ws.encodings[i]);
  }
  std::vector<Prediction> out;
  model.predict_tokenized(texts.size(), ws, out, {.per_run = 2, .per_token = 1});
  // Lengths 3, 3, 4 | 16: the long one runs alone.
  EXPECT_THAT(model.widths, ElementsAre(4, 16));
  const float expected[] = {0, 3 - 4, 3 - 4, 0};
  for (size_t i = 0; i < texts.size(); ++i) {
    EXPECT_NEAR(len_minus_width(out[i]), expected[i], 1e-4) << texts[i];
  }
}

TEST(Predictor, RowsPaddedToMaxLengthAreNeverCutApartByCost) {
  LengthModel model({.batch_size = 8, .max_length = 16, .padding = text::Padding::max_length});
  Workspace ws;
  ws.encodings.resize(2);
  model.tokenizer().encode("a", {.max_length = 16, .with_tokens = false}, ws.encodings[0]);
  model.tokenizer().encode("a b c d a b c d a b", {.max_length = 16, .with_tokens = false},
                           ws.encodings[1]);
  std::vector<Prediction> out;
  model.predict_tokenized(2, ws, out, {.per_run = 2, .per_token = 1});
  EXPECT_THAT(model.rows, ElementsAre(2));
}

TEST(BatchPlan, TimesOneShortRowAndAFullPassOfLongRows) {
  LengthModel model({.batch_size = 64, .max_length = 64});
  const BatchCost cost = measure_batch_cost(model, 3);
  EXPECT_GE(cost.per_run, 0);  // the intercept is clamped: a run never pays back time
  // Three timed runs of each shape: 1 row of 8 words, 32 rows as long as the model takes.
  EXPECT_THAT(model.rows, ElementsAre(1, 1, 1, 32, 32, 32));
  EXPECT_THAT(model.widths, ElementsAre(10, 10, 10, 64, 64, 64));
}

TEST(Predictor, FixedPaddingPadsEveryRowToMaxLength) {
  LengthModel model({.batch_size = 8, .max_length = 16, .padding = text::Padding::max_length});
  model.predict(std::vector<std::string>{"a", "a b"});
  EXPECT_THAT(model.widths, ElementsAre(16));
}

// A static sequence axis: every row is padded and cut to it, whatever the options say.
TEST(Predictor, AStaticSequenceAxisPadsAndCutsEveryRowToIt) {
  LengthModel model({.batch_size = 2, .max_length = 64}, {.batch = 0, .seq_len = 4});
  EXPECT_EQ(model.options().max_length, 4);
  EXPECT_EQ(model.options().padding, text::Padding::max_length);
  const auto out = model.predict(std::vector<std::string>{"a", "a b c d", "b"});
  EXPECT_THAT(model.widths, ElementsAre(4, 4));
  EXPECT_NEAR(len_minus_width(out[0]), 3 - 4, 1e-4);
  EXPECT_TRUE(out[1].truncated);
  EXPECT_NEAR(len_minus_width(out[1]), 0, 1e-4);
  model.set_options({.batch_size = 8, .max_length = 512, .padding = text::Padding::longest});
  EXPECT_EQ(model.options().max_length, 4);
  EXPECT_EQ(model.options().padding, text::Padding::max_length);
  EXPECT_EQ(model.options().batch_size, 8);
}

// A static batch axis: batches of exactly that many rows; the last is filled up with the empty
// text ([CLS] [SEP]), whose results are dropped, and the input order still comes back.
TEST(Predictor, AStaticBatchAxisFillsTheLastBatchAndDropsTheFiller) {
  LengthModel model({.batch_size = 2}, {.batch = 3, .seq_len = 0});
  EXPECT_EQ(model.options().batch_size, 3);
  const std::vector<std::string> texts = {"a b c d", "a", "a b c", "b"};
  const auto out = model.predict(texts);
  ASSERT_EQ(out.size(), 4u);
  EXPECT_THAT(model.rows, ElementsAre(3, 3));
  // Sorted 3,3,5 | 6 + two empty rows of 2 tokens, padded to the 6 of the real one.
  EXPECT_THAT(model.widths, ElementsAre(5, 6));
  const float expected[] = {6 - 6, 3 - 5, 5 - 5, 3 - 5};
  for (size_t i = 0; i < texts.size(); ++i) {
    EXPECT_NEAR(len_minus_width(out[i]), expected[i], 1e-4) << texts[i];
  }
  const int64_t cls = 2;  // small_tokenizer's ids
  const int64_t sep = 3;
  EXPECT_THAT(std::vector<int64_t>(model.last_ids.begin() + 6, model.last_ids.end()),
              ElementsAre(cls, sep, 0, 0, 0, 0, cls, sep, 0, 0, 0, 0));
  model.set_options({.batch_size = 64});
  EXPECT_EQ(model.options().batch_size, 3);
  EXPECT_EQ(model.predict(std::vector<std::string>{"a"}).size(), 1u);
  EXPECT_THAT(model.rows, ElementsAre(3, 3, 3));
}

TEST(Predictor, FixedShapeNotesSayWhatTheModelOverrides) {
  const PredictOptions asked{.batch_size = 32, .max_length = 128};
  EXPECT_THAT(fixed_shape_notes({}, asked), ElementsAre());
  EXPECT_THAT(fixed_shape_notes({.batch = 0, .seq_len = 128}, asked),
              ElementsAre("the model takes exactly 128 tokens, so every sentence is padded (or "
                          "cut) to 128"));
  EXPECT_THAT(fixed_shape_notes({.batch = 32, .seq_len = 64}, asked),
              ElementsAre("the model takes exactly 64 tokens, so every sentence is padded (or "
                          "cut) to 64, not to the max length of 128 asked for"));
  EXPECT_THAT(fixed_shape_notes({.batch = 4, .seq_len = 0}, asked),
              ElementsAre("the model takes batches of exactly 4 sentences, so the batch size is "
                          "4, not 32 (a short last batch is filled with empty rows)"));
}

TEST(Predictor, TruncatesToMaxLengthAndSaysSo) {
  LengthModel model({.batch_size = 4, .max_length = 4});
  const auto out = model.predict(std::vector<std::string>{"a b c d", "a b", "   "});
  EXPECT_TRUE(out[0].truncated);
  EXPECT_FALSE(out[1].truncated);
  EXPECT_NEAR(std::exp(len_minus_width(out[0])), 1.0, 1e-4);  // 4 real tokens of width 4
  // Whitespace is the empty text: [CLS] [SEP].
  EXPECT_FALSE(out[2].truncated);
  EXPECT_NEAR(len_minus_width(out[2]), 2 - 4, 1e-4);
}

TEST(Predictor, RejectsBadOptionsAndInvalidUtf8) {
  EXPECT_THAT(error_message<UsageError>([] { LengthModel({.batch_size = 0}); }),
              HasSubstr("batch size must be >= 1, got 0"));
  LengthModel model({});
  EXPECT_THAT(error_message<Error>([&] { model.predict(std::vector<std::string>{"a\xff"}); }),
              HasSubstr("UTF-8"));
}

TEST(Softmax, IsStableForLargeLogits) {
  std::vector<float> v = {1000, 1000, -1000, 0};
  softmax_rows(v, 2);
  EXPECT_THAT(v, ElementsAre(0.5f, 0.5f, 0.0f, 1.0f));
}

std::vector<std::string> read_all(const std::string& content, const std::string& name,
                                  InputFormat format = InputFormat::kAuto,
                                  OnBadLine on_bad = OnBadLine::kFail) {
  std::istringstream in(content);
  SentenceReader reader(in, name, format, on_bad);
  std::vector<std::string> out;
  std::string s;
  int64_t line = 0;
  while (reader.next(s, line)) out.push_back(s + "@" + std::to_string(line));
  return out;
}

TEST(SentenceReader, ReadsTextTsvAndJsonl) {
  EXPECT_THAT(read_all("\xEF\xBB\xBFOne.\r\n\nTwo.\n", "-"), ElementsAre("One.@1", "@2", "Two.@3"));
  EXPECT_THAT(read_all("gj04\t1\t\tThe boy sat.\ngj04\t0\t*\tBoy the.\n", "dev.tsv"),
              ElementsAre("The boy sat.@1", "Boy the.@2"));
  EXPECT_THAT(read_all("sentence\tlabel\nHi there.\t1\n", "train.tsv"), ElementsAre("Hi there.@2"));
  EXPECT_THAT(read_all("{\"sentence\": \"A \\\"q\\\".\"}\n\n{\"text\": \"B.\", \"x\": 1}\n", "-"),
              ElementsAre("A \"q\".@1", "B.@3"));
}

TEST(SentenceReader, NamesTheLineOfABadRow) {
  EXPECT_THAT(error_message<Error>([] { read_all("fine\nbad \xC3\x28 byte\n", "in.txt"); }),
              HasSubstr("in.txt:2: invalid UTF-8 at byte 5"));
  EXPECT_THAT(error_message<Error>([] { read_all("a\tb\tc\td\nx\ty\n", "d.tsv"); }),
              HasSubstr("d.tsv:2: 2 tab-separated fields"));
  EXPECT_THAT(error_message<Error>([] { read_all("{\"sentence\": 3}\n", "-"); }),
              HasSubstr("<stdin>:1: no \"sentence\" (or \"text\") string field"));
  EXPECT_THAT(error_message<Error>([] { read_all("{oops\n", "x.jsonl"); }),
              HasSubstr("x.jsonl:1: not a JSON object"));
  EXPECT_THAT(error_message<UsageError>([] { parse_input_format("csv"); }),
              HasSubstr("valid: auto, text, tsv, jsonl"));
}

TEST(SentenceReader, SkipsAndCountsBadLinesWhenAsked) {
  std::istringstream in("ok\n\xff\nfine\n\xfe\n");
  SentenceReader reader(in, "-", InputFormat::kText, OnBadLine::kSkip);
  std::string s;
  int64_t line = 0;
  std::vector<int64_t> lines;
  while (reader.next(s, line)) lines.push_back(line);
  EXPECT_THAT(lines, ElementsAre(1, 3));
  EXPECT_EQ(reader.skipped(), 2);
  EXPECT_EQ(reader.first_skip_reason(), "<stdin>:2: invalid UTF-8 at byte 1");
}

// One endless line must not fill memory: its first kMaxLineBytes are the sentence, cut at a code
// point, and the lines after it read as usual.
TEST(SentenceReader, CutsAnOverlongLineAndReadsOn) {
  constexpr size_t kMax = SentenceReader::kMaxLineBytes;
  // "é" (2 bytes) straddles the limit: it is dropped whole.
  const std::string long_line = std::string(kMax - 1, 'a') + "\xC3\xA9" + std::string(5000, 'b');
  std::istringstream in(long_line + "\nnext\n");
  SentenceReader reader(in, "big.txt", InputFormat::kText, OnBadLine::kFail);
  std::string s;
  int64_t line = 0;
  ASSERT_TRUE(reader.next(s, line));
  EXPECT_EQ(s, std::string(kMax - 1, 'a'));
  ASSERT_TRUE(reader.next(s, line));
  EXPECT_EQ(s, "next");
  EXPECT_EQ(line, 2);
  EXPECT_EQ(reader.cut_lines(), 1);
  EXPECT_FALSE(reader.next(s, line));
  // A cut JSON object cannot be parsed: the line is a bad one, named by its length.
  EXPECT_THAT(error_message<Error>([&] {
                read_all("{\"sentence\": \"" + std::string(kMax, 'x') + "\"}\n", "x.jsonl");
              }),
              HasSubstr("x.jsonl:1: longer than 1048576 bytes"));
}

TEST(Labels, ParsesId2LabelAndLabelFiles) {
  EXPECT_THAT(parse_id2label(R"({"1": "acceptable", "0": "unacceptable"})", "m"),
              ElementsAre("unacceptable", "acceptable"));
  EXPECT_THAT(error_message<Error>([] { parse_id2label(R"({"0": "a", "2": "b"})", "m.onnx"); }),
              HasSubstr("m.onnx: id2label must map ids 0..1 to strings"));
  test::TempDir dir;
  write_file_atomic(dir / "labels.txt", "neg\npos\n");
  EXPECT_THAT(read_labels_file(dir / "labels.txt"), ElementsAre("neg", "pos"));
  // A Hugging Face config.json (what a user of a torch.onnx export has): its id2label.
  write_file_atomic(
      dir / "config.json",
      R"({"hidden_size": 64, "id2label": {"1": "pos", "0": "neg"}, "vocab_size": 9})");
  EXPECT_THAT(read_labels_file(dir / "config.json"), ElementsAre("neg", "pos"));
  write_file_atomic(dir / "bad.json", R"({"id2label": {"0": "neg", "2": "pos"}})");
  EXPECT_THAT(error_message<Error>([&] { read_labels_file(dir / "bad.json"); }),
              HasSubstr("bad.json id2label: id2label must map ids 0..1 to strings"));
  write_file_atomic(dir / "empty.txt", "\n \n");
  EXPECT_THAT(error_message<Error>([&] { read_labels_file(dir / "empty.txt"); }),
              HasSubstr("empty.txt: no labels"));
}

TEST(Output, IsTheSeedsJsonLine) {
  std::string out;
  append_json_line(out, "He said \"hi\".", {"unacceptable", "acceptable"},
                   std::vector{0.25f, 0.75f});
  EXPECT_EQ(out,
            "{\"sentence\": \"He said \\\"hi\\\".\", \"predictions\": [{\"label\": "
            "\"unacceptable\", \"score\": 0.25}, {\"label\": \"acceptable\", \"score\": 0.75}]}\n");
  const auto parsed = nlohmann::json::parse(out);
  EXPECT_EQ(parsed["predictions"][1]["label"], "acceptable");
}

TEST(Output, ANonFiniteScoreIsNullWithAnError) {
  std::string out;
  append_json_line(
      out, "x", {"unacceptable", "acceptable"},
      std::vector{std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity()});
  const auto parsed = nlohmann::json::parse(out);  // throws on "nan" or "inf"
  EXPECT_TRUE(parsed["predictions"][0]["score"].is_null()) << out;
  EXPECT_TRUE(parsed["predictions"][1]["score"].is_null()) << out;
  EXPECT_EQ(parsed["error"], "the model produced a non-finite score");
  out.clear();
  append_json_line(out, "x", {"a"}, std::vector{1.0f});
  EXPECT_FALSE(nlohmann::json::parse(out).contains("error"));
}

TEST(Stats, QuantilesInterpolate) {
  EXPECT_DOUBLE_EQ(quantile({4, 1, 3, 2}, 0.5), 2.5);
  EXPECT_DOUBLE_EQ(quantile({1, 2, 3, 4, 5}, 0.99), 4.96);
  EXPECT_DOUBLE_EQ(quantile({}, 0.5), 0);
  const auto s = summarize({0.5, 0.5}, 10);
  EXPECT_DOUBLE_EQ(s.sentences_per_second(), 10);
}

TEST(Stream, WritesAndFlushesEachChunkInInputOrder) {
  LengthModel model({.batch_size = 2});
  const std::vector<std::string> texts = {"a b c", "a", "b b b b", "c"};
  size_t next = 0;
  const SentenceSource source = [&](std::string& s) {
    if (next == texts.size()) return false;
    s = texts[next++];
    return true;
  };
  std::vector<int64_t> calls;
  test::TempDir dir;
  std::FILE* out = std::fopen((dir / "out.jsonl").c_str(), "w");
  ASSERT_NE(out, nullptr);
  // A chunk of 3: the second predict() call gets the last sentence alone.
  const auto r = predict_stream(source, model, out,
                                {.chunk = 3,
                                 .ready = {},
                                 .on_call =
                                     [&](int64_t n, double) {
                                       calls.push_back(n);
                                       // Everything before this call is already on disk.
                                       const std::string all = read_file(dir / "out.jsonl");
                                       EXPECT_EQ(std::count(all.begin(), all.end(), '\n'),
                                                 calls.size() == 1 ? 0 : 3);
                                     }},
                                &model);
  std::fclose(out);
  EXPECT_THAT(calls, ElementsAre(3, 1));
  EXPECT_EQ(r.sentences, 4);
  EXPECT_EQ(r.comparison.sentences, 4);
  EXPECT_EQ(r.comparison.max_abs_diff, 0);
  // A source that is never ready for more: each sentence is predicted as soon as it is read.
  next = 0;
  calls.clear();
  std::FILE* null = std::fopen("/dev/null", "w");
  ASSERT_NE(null, nullptr);
  predict_stream(source, model, null,
                 {.chunk = 3,
                  .ready = [] { return false; },
                  .on_call = [&](int64_t n, double) { calls.push_back(n); }});
  std::fclose(null);
  EXPECT_THAT(calls, ElementsAre(1, 1, 1, 1));
  const std::string written = read_file(dir / "out.jsonl");
  std::istringstream lines(written);
  std::string line;
  for (const auto& t : texts) {
    ASSERT_TRUE(std::getline(lines, line));
    EXPECT_EQ(nlohmann::json::parse(line)["sentence"], t);
  }
}

// A Predictor that logs its name at every forward pass, to see the order `cola bench` runs them in.
class LoggingModel final : public Predictor {
 public:
  LoggingModel(std::string name, std::vector<std::string>& log, FixedShape fixed = {})
      : Predictor(small_tokenizer(), {"x", "y"}, {}, fixed), name_(std::move(name)), log_(log) {}
  void forward(const text::PaddedBatch& b, std::vector<float>& logits) const override {
    logits.assign(static_cast<size_t>(b.batch * 2), 0);
    log_.push_back(fixed_shape().batch > 0 ? fmt::format("{} {}x{}", name_, b.batch, b.seq_len)
                                           : name_);
  }
  std::string_view backend() const override { return name_; }

 private:
  std::string name_;
  std::vector<std::string>& log_;
};

// The backends' timed passes alternate within a cell, so that machine drift hits them alike; the
// report still lists one backend's rows before the other's.
TEST(Bench, AlternatesTheBackendsWithinEachCell) {
  std::vector<std::string> log;
  BenchOptions o;
  o.backends = {"onnx", "torch"};
  o.threads = {1};
  o.batch_sizes = {8};
  o.paddings = {BenchPadding::kBucketed, BenchPadding::kFixed};
  o.warmup = 1;
  o.repetitions = 3;
  o.fixed_length = 4;
  const auto report = run_bench(
      {"a b", "c", "d d d"},
      [&](const std::string& backend, int) { return std::make_unique<LoggingModel>(backend, log); },
      o);
  const std::vector<std::string> cell = {"onnx", "torch", "onnx", "torch",
                                         "onnx", "torch", "onnx", "torch"};  // warm-ups, then 3
  std::vector<std::string> expected = cell;
  expected.insert(expected.end(), cell.begin(), cell.end());
  EXPECT_EQ(log, expected);
  ASSERT_EQ(report.cells.size(), 4u);
  EXPECT_EQ(report.cells[0].backend, "onnx");
  EXPECT_EQ(report.cells[1].backend, "onnx");
  EXPECT_EQ(report.cells[1].padding, BenchPadding::kFixed);
  EXPECT_EQ(report.cells[2].backend, "torch");
  ASSERT_NE(report.find("torch", 1, 8, BenchPadding::kFixed), nullptr);
  EXPECT_EQ(report.find("torch", 1, 8, BenchPadding::kFixed)->latency.batches, 3);
}

// An ONNX file with static axes [2, 6]: every cell runs batches of 2 rows of 6 tokens, the grid's
// batch sizes give way with a note, and no dynamic/fixed ratio is printed, since all paddings
// are the same 6.
TEST(Bench, AModelWithStaticAxesRunsItsOwnShapeAndSaysSo) {
  std::vector<std::string> log;
  BenchOptions o;
  o.backends = {"onnx"};
  o.threads = {1};
  o.batch_sizes = {1, 8};
  o.paddings = {BenchPadding::kBucketed, BenchPadding::kFixed};
  o.warmup = 0;
  o.repetitions = 1;
  auto report = run_bench(
      {"a b", "c", "d d d"},
      [&](const std::string& backend, int) {
        return std::make_unique<LoggingModel>(backend, log, FixedShape{.batch = 2, .seq_len = 6});
      },
      o);
  EXPECT_THAT(log, ElementsAre("onnx 2x6", "onnx 2x6", "onnx 2x6", "onnx 2x6"));
  EXPECT_THAT(report.notes,
              ElementsAre("onnx: the model takes exactly 6 tokens, so the dynamic, bucketed and "
                          "fixed cells all pad every sentence to 6 (no dynamic/fixed ratio)",
                          "onnx: the model takes batches of exactly 2 sentences, so batch sizes "
                          "1, 8 run as 2"));
  ASSERT_EQ(report.cells.size(), 2u);
  EXPECT_EQ(report.cells[0].batch_size, 2);
  EXPECT_EQ(report.cells[0].static_seq_len, 6);
  report.machine = {.cpu = "Test CPU", .cpu_flags = "avx2", .int8_kernel = "AVX2 VPMADDUBSW"};
  const std::string table = bench_markdown(report);
  EXPECT_THAT(table, ::testing::StartsWith(
                         "machine: Test CPU (avx2); ONNX Runtime int8: AVX2 VPMADDUBSW\n"))
      << "every figure names the machine it came from";
  EXPECT_THAT(table, HasSubstr("note: onnx: the model takes exactly 6 tokens"));
  EXPECT_THAT(table, HasSubstr("| onnx | 1 | 2 | bucketed |"));
  EXPECT_THAT(table, HasSubstr("| - | - (all 6) |\n"));
  const auto json = nlohmann::json::parse(bench_json(report));
  EXPECT_EQ(json["notes"].size(), 2u);
  EXPECT_EQ(json["machine"]["cpu"], "Test CPU");
  EXPECT_EQ(json["machine"]["int8_kernel"], "AVX2 VPMADDUBSW");
  EXPECT_EQ(json["cells"][0]["static_seq_len"], 6);
  EXPECT_FALSE(json["cells"][0].contains("over_fixed"));
  // Two models that pin different batch sizes cannot share a grid.
  int opened = 0;
  EXPECT_EQ(
      error_message<Error>([&] {
        run_bench({"a"},
                  [&](const std::string& backend, int) {
                    return std::make_unique<LoggingModel>(
                        backend, log, FixedShape{.batch = ++opened, .seq_len = 0});
                  },
                  {.backends = {"onnx", "torch"}, .threads = {1}});
      }),
      "bench: the models take batches of exactly 1 and 2 sentences: no batch size suits both");
}

// Two ONNX files are both Predictor::backend() "onnx": the cells take the names they were opened
// under, so that a comparison can tell them apart.
TEST(Bench, NamesTheCellsAsTheBackendsWereOpened) {
  std::vector<std::string> log;
  BenchOptions o;
  o.backends = {"onnx", "onnx:int8"};
  o.comparison = BenchComparison{.baseline = "onnx",
                                 .compared = "onnx:int8",
                                 .baseline_model = "fp32.onnx",
                                 .compared_model = "int8.onnx"};
  o.threads = {1};
  o.batch_sizes = {2};
  o.paddings = {BenchPadding::kBucketed};
  o.warmup = 0;
  o.repetitions = 1;
  std::vector<std::string> opened;
  const auto report = run_bench(
      {"a b", "c"},
      [&](const std::string& backend, int) {
        opened.push_back(backend);
        return std::make_unique<LoggingModel>("onnx", log);
      },
      o);
  EXPECT_THAT(opened, ElementsAre("onnx", "onnx:int8"));
  ASSERT_EQ(report.cells.size(), 2u);
  EXPECT_EQ(report.cells[0].backend, "onnx");
  EXPECT_EQ(report.cells[1].backend, "onnx:int8");
  ASSERT_TRUE(report.comparison.has_value());
  EXPECT_EQ(report.comparison->compared, "onnx:int8");
  // A comparison of a backend the grid does not run is the caller's mistake, named.
  o.comparison->compared = "onnx:q";
  EXPECT_EQ(
      error_message<Error>([&] {
        run_bench(
            {"a"},
            [&](const std::string&, int) { return std::make_unique<LoggingModel>("onnx", log); },
            o);
      }),
      "bench: compared backend 'onnx:q' is not among the backends (onnx, onnx:int8)");
}

// The over-baseline ratio on a hand-built report: the compared backend's sentences/s over the
// baseline's in the same cell, in its own column and JSON field, and nowhere without a comparison.
TEST(Bench, TheComparedModelGetsItsRatioOverTheBaselinePerCell) {
  BenchReport r;
  r.sentences = 10;
  r.repetitions = 1;
  const auto cell = [](std::string backend, BenchPadding padding, double per_second) {
    BenchCell c;
    c.backend = std::move(backend);
    c.threads = 1;
    c.batch_size = 8;
    c.padding = padding;
    c.sentences_per_second = per_second;
    return c;
  };
  r.cells = {cell("onnx", BenchPadding::kBucketed, 100), cell("onnx", BenchPadding::kFixed, 50),
             cell("onnx:q", BenchPadding::kBucketed, 250),
             cell("onnx:q", BenchPadding::kFixed, 200)};
  const std::string plain = bench_markdown(r);
  EXPECT_THAT(plain, HasSubstr("| forward share | ort/torch | dynamic/fixed |\n"));
  EXPECT_THAT(plain, Not(HasSubstr("baseline")));
  EXPECT_THAT(bench_json(r), Not(HasSubstr("baseline")));

  r.comparison = BenchComparison{.baseline = "onnx",
                                 .compared = "onnx:q",
                                 .baseline_model = "/m/fp32.onnx",
                                 .compared_model = "/m/q.onnx"};
  const std::string table = bench_markdown(r);
  EXPECT_THAT(table, HasSubstr("baseline: onnx = /m/fp32.onnx; compared: onnx:q = /m/q.onnx; "));
  EXPECT_THAT(table, HasSubstr("| ort/torch | over baseline | dynamic/fixed |\n"
                               "|---|---|---|---|---|---|---|---|---|---|---|---|\n"));
  // sentences/s, forward share, ort/torch, over baseline, dynamic/fixed
  EXPECT_THAT(table, HasSubstr("| onnx | 1 | 8 | bucketed |"));
  EXPECT_THAT(table, HasSubstr("| 100 | 0% | - | - | 2.00x |\n"));
  EXPECT_THAT(table, HasSubstr("| 50 | 0% | - | - | - |\n"));
  EXPECT_THAT(table, HasSubstr("| onnx:q | 1 | 8 | bucketed |"));
  EXPECT_THAT(table, HasSubstr("| 250 | 0% | - | 2.50x | 1.25x |\n"));
  EXPECT_THAT(table, HasSubstr("| 200 | 0% | - | 4.00x | - |\n"));

  const auto json = nlohmann::json::parse(bench_json(r));
  EXPECT_EQ(json["comparison"]["baseline_model"], "/m/fp32.onnx");
  EXPECT_EQ(json["comparison"]["compared"], "onnx:q");
  ASSERT_EQ(json["cells"].size(), 4u);
  EXPECT_FALSE(json["cells"][0].contains("over_baseline"));
  EXPECT_FALSE(json["cells"][1].contains("over_baseline"));
  EXPECT_DOUBLE_EQ(json["cells"][2]["over_baseline"].get<double>(), 2.5);
  EXPECT_DOUBLE_EQ(json["cells"][3]["over_baseline"].get<double>(), 4.0);
}

}  // namespace
}  // namespace cola::predict

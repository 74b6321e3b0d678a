// `cola predict` through the real binary: a tiny `cola train` run, exported, then predicted from
// arguments, files and stdin, on both backends, and every bad-input path checked by its message.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "core/file.h"
#include "support/run_cli.h"
#include "support/shared_data.h"

namespace cola::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
namespace fs = std::filesystem;

class PredictCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    const auto r = run_cli(tiny_train_args((dir_->path() / "run").string(), 3));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto e = run_cli({"export", "--checkpoint", checkpoint(), "--output", model()});
    ASSERT_EQ(e.exit_code, 0) << e.err;
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  static std::string checkpoint() { return (dir_->path() / "run/checkpoints/best").string(); }
  static std::string model() { return (dir_->path() / "model.onnx").string(); }
  static std::vector<nlohmann::json> lines(const std::string& out) {
    std::vector<nlohmann::json> v;
    std::istringstream in(out);
    for (std::string line; std::getline(in, line);) v.push_back(nlohmann::json::parse(line));
    return v;
  }
  static TempDir* dir_;
  TempDir tmp_;
};
TempDir* PredictCli::dir_ = nullptr;

TEST_F(PredictCli, PrintsOneSeedStyleJsonLinePerSentence) {
  const auto r = run_cli(
      {"predict", "--model", model(), "The boy is sitting on a bench", "Book the was read."});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto out = lines(r.out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0]["sentence"], "The boy is sitting on a bench");
  EXPECT_EQ(out[1]["sentence"], "Book the was read.");
  for (const auto& j : out) {
    ASSERT_EQ(j.size(), 2u) << j.dump();  // exactly "sentence" and "predictions"
    ASSERT_EQ(j["predictions"].size(), 2u);
    EXPECT_EQ(j["predictions"][0]["label"], "unacceptable");
    EXPECT_EQ(j["predictions"][1]["label"], "acceptable");
    const double sum =
        j["predictions"][0]["score"].get<double>() + j["predictions"][1]["score"].get<double>();
    EXPECT_NEAR(sum, 1.0, 1e-6);
  }
}

TEST_F(PredictCli, TorchBackendAndCompareAgree) {
  const auto dev = (source_dir() / "data/sample/dev.tsv").string();
  const auto torch = run_cli({"predict", "--model", checkpoint(), "--input", dev});
  ASSERT_EQ(torch.exit_code, 0) << torch.err;
  const auto r = run_cli({"predict", "--model", model(), "--input", dev, "--compare", checkpoint(),
                          "--batch-size", "8", "--bucket", "4"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("compare onnx vs torch: max |Δscore| "));
  EXPECT_THAT(r.err, HasSubstr("label agreement 100.00%"));
  const auto a = lines(r.out), b = lines(torch.out);
  ASSERT_EQ(a.size(), b.size());
  // The file's order survives bucketing (batch 8, 4 batches sorted together).
  for (size_t i = 0; i < a.size(); ++i) ASSERT_EQ(a[i]["sentence"], b[i]["sentence"]) << i;
  const std::string first = read_file(dev).substr(0, read_file(dev).find('\n'));
  EXPECT_EQ(b[0]["sentence"], first.substr(first.rfind('\t') + 1));
}

TEST_F(PredictCli, CompareFailsWhenTheBackendsDisagree) {
  // Other weights with the same labels: every score differs.
  COLA_SHARED_PATH_OR_SKIP(other, "golden/tiny-bert");
  const auto r =
      run_cli({"predict", "--model", model(), "--compare", other.string(), "It rained."});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("compare onnx vs torch: max |Δscore| "));
  EXPECT_THAT(r.err, HasSubstr("cola: error: the backends disagree: max |Δscore| "));
}

TEST_F(PredictCli, StreamsStdinAndFlushesEachBatch) {
  const auto fifo = tmp_ / "stdin";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  // O_RDWR never blocks on a FIFO, so the child's open for reading finds a writer.
  const int fd = ::open(fifo.c_str(), O_RDWR | O_CLOEXEC);  // not inherited by cola
  ASSERT_GE(fd, 0);
  BackgroundCli cli({"predict", "--model", model(), "--input", "-"}, fifo.string());
  // Each line comes back while stdin is still open, though a batch holds 32: the chunk ends when
  // nothing more is waiting.
  std::string out;
  for (const std::string line : {"One sentence.\n", "Another one.\n"}) {
    ASSERT_EQ(::write(fd, line.data(), line.size()), static_cast<ssize_t>(line.size()));
    const int before = count_lines(out);
    for (int i = 0; i < 600 && count_lines(out) == before; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      out = cli.out_so_far();
    }
    EXPECT_EQ(count_lines(out), before + 1) << "'" << line << "' was not answered before more came";
  }
  const std::string rest = "\n   \nThe last.\n";
  ASSERT_EQ(::write(fd, rest.data(), rest.size()), static_cast<ssize_t>(rest.size()));
  ::close(fd);
  const auto r = cli.wait();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto all = lines(r.out);
  ASSERT_EQ(all.size(), 5u);
  EXPECT_EQ(all[2]["sentence"], "");  // blank lines are predicted as the empty text
  EXPECT_EQ(all[3]["sentence"], "   ");
  EXPECT_EQ(all[2]["predictions"], all[3]["predictions"]);
  EXPECT_EQ(all[4]["sentence"], "The last.");
}

TEST_F(PredictCli, BadInputLinesAreNamedOrSkipped) {
  const std::string input = "Fine.\nBad \xff here.\nAlso fine.\n";
  const auto r = run_cli({"predict", "--model", model(), "--input", "-"}, {}, input);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "cola: error: <stdin>:2: invalid UTF-8 at byte 5\n");
  const auto skip =
      run_cli({"predict", "--model", model(), "--input", "-", "--on-error", "skip"}, {}, input);
  ASSERT_EQ(skip.exit_code, 0) << skip.err;
  EXPECT_EQ(count_lines(skip.out), 2);
  EXPECT_THAT(skip.err, HasSubstr("skipped 1 unreadable line(s); the first: <stdin>:2: invalid "
                                  "UTF-8 at byte 5"));
  write_file_atomic(tmp_ / "rows.jsonl", "{\"sentence\": \"ok\"}\n{\"label\": 1}\n");
  const auto jsonl =
      run_cli({"predict", "--model", model(), "--input", (tmp_ / "rows.jsonl").string()});
  EXPECT_EQ(jsonl.exit_code, 1);
  EXPECT_THAT(jsonl.err, HasSubstr("rows.jsonl:2: no \"sentence\" (or \"text\") string field"));
}

TEST_F(PredictCli, LongSentencesAreTruncatedWithOneWarning) {
  const auto r = run_cli({"predict", "--model", model(), "--max-length", "6", "a b c d e f g h",
                          "a b", "one two three four five six seven"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(count_lines(r.out), 3);
  EXPECT_THAT(r.err, HasSubstr("2 sentence(s) were longer than 6 tokens and were truncated"));
}

TEST_F(PredictCli, ModelProblemsAreOneClearLine) {
  auto r = run_cli({"predict", "--model", (tmp_ / "missing.onnx").string(), "Hi."});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("missing.onnx: no such model file"));
  EXPECT_EQ(count_lines(r.err), 1);
  write_file_atomic(tmp_ / "corrupt.onnx", std::string(100, '\x07'));
  r = run_cli({"predict", "--model", (tmp_ / "corrupt.onnx").string(), "Hi."});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("cola: error: " + (tmp_ / "corrupt.onnx").string() + ": "));
  EXPECT_EQ(count_lines(r.err), 1);
  r = run_cli({"predict", "--model", model()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("give sentences as arguments or --input FILE"));
  r = run_cli({"predict", "--model", model(), "--backend", "tf", "Hi."});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("unknown backend 'tf' (valid: auto, onnx, torch)"));
  r = run_cli({"predict", "--model", model(), "--preset", "fast", "Hi."});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("could not find 'inference/fast'; available options in "
                               "'inference': default, latency, throughput"));
  r = run_cli({"predict", "--model", model(), "--set", "inference.threads=many", "Hi."});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("inference.threads: expected an integer, got 'many'"));
  r = run_cli({"predict", "--model", model(), "--graph-optimization", "max", "Hi."});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("unknown graph optimization 'max' (valid: disabled, basic, "
                               "extended, all)"));
}

// Settings come from configs/inference (a preset or --set), and a flag given beats them.
TEST_F(PredictCli, InferenceSettingsComeFromTheConfigThenTheFlags) {
  const auto batches = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"predict", "--model", model(), "--timing"});
    args.insert(args.end(), {"One.", "Two.", "Three."});
    const auto r = run_cli(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    const auto at = r.err.find(" batches;");
    const auto from = r.err.rfind(' ', at - 1) + 1;
    return r.err.substr(from, at - from);
  };
  EXPECT_EQ(batches({}), "1");  // inference/default.yaml: batch_size 32
  EXPECT_EQ(batches({"--set", "inference.batch_size=1"}), "3");
  EXPECT_EQ(batches({"--set", "inference.batch_size=1", "--batch-size", "2"}), "2");
  EXPECT_EQ(batches({"--preset", "latency", "--set", "inference.batch_size=2"}), "2");
  const auto dir = tmp_ / "configs";
  write_file_atomic(dir / "config.yaml", "defaults:\n  - inference: mine\n");
  write_file_atomic(dir / "inference/mine.yaml", "batch_size: 1\nthreads: 1\n");
  EXPECT_EQ(batches({"--config-dir", dir.string()}), "3");
  // The session options reach ORT: its fused SkipLayerNormalization appears from the extended
  // level up, so the graph it saves tells the level.
  const auto saved_graph = [&](const std::vector<std::string>& extra) {
    std::vector<std::string> args = {
        "predict", "--model", model(), "--save-optimized", (tmp_ / "optimized.onnx").string(),
        "Hi."};
    args.insert(args.end(), extra.begin(), extra.end());
    const auto r = run_cli(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return read_file(tmp_ / "optimized.onnx");
  };
  EXPECT_THAT(saved_graph({}), HasSubstr("SkipLayerNormalization"));
  EXPECT_THAT(saved_graph({"--set", "inference.graph_optimization=basic"}),
              Not(HasSubstr("SkipLayerNormalization")));
}

TEST_F(PredictCli, WithoutMetadataVocabAndLabelsAreNeeded) {
  onnx::ModelProto proto;
  ASSERT_TRUE(proto.ParseFromString(read_file(model())));
  proto.clear_metadata_props();
  const auto bare = (tmp_ / "bare.onnx").string();
  write_file_atomic(bare, proto.SerializeAsString());
  auto r = run_cli({"predict", "--model", bare, "Hi."});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("no vocabulary in the model's metadata"));
  write_file_atomic(tmp_ / "labels.txt", "unacceptable\nacceptable\n");
  r = run_cli({"predict", "--model", bare, "--vocab", checkpoint() + "/vocab.txt", "--labels",
               (tmp_ / "labels.txt").string(), "The boy sat."});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto with_meta = run_cli({"predict", "--model", model(), "The boy sat."});
  EXPECT_EQ(r.out, with_meta.out);
}

TEST_F(PredictCli, TimingPrintsPerCallLinesAndASummary) {
  const auto r = run_cli({"predict", "--model", model(), "--timing", "--preset", "latency",
                          "--batch-size", "1", "One.", "Two."});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("timing: predict(2 sentences) took "));
  EXPECT_THAT(r.err, HasSubstr("timing: 2 sentences in "));
  EXPECT_THAT(r.err, HasSubstr("p50 "));
  EXPECT_THAT(r.err, HasSubstr("over 2 batches"));
}

TEST_F(PredictCli, BenchQuickComparesBothBackendsInMarkdownAndJson) {
  const auto dev = (source_dir() / "data/sample/dev.tsv").string();
  auto r = run_cli(
      {"bench", "--model", model(), "--checkpoint", checkpoint(), "--quick", "--input", dev});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("32 sentences"));
  EXPECT_THAT(r.out, HasSubstr("tokenization alone: "));
  EXPECT_THAT(r.out, HasSubstr("1 warm-up pass(es), median of 2 timed passes per cell"));
  EXPECT_THAT(r.out, HasSubstr("| onnx | 1 | 8 | bucketed |"));
  EXPECT_THAT(r.out, HasSubstr("| torch | 1 | 1 | fixed |"));
  r = run_cli({"bench", "--model", model(), "--checkpoint", checkpoint(), "--quick", "--json",
               "--synthetic", "16"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["sentences"], 16);
  EXPECT_EQ(j["repetitions"], 2);
  ASSERT_EQ(j["cells"].size(), 12u);  // 2 backends x 2 batch sizes x 3 paddings, 1 thread
  for (const auto& c : j["cells"]) {
    EXPECT_GT(c["sentences_per_second"].get<double>(), 0) << c.dump();
    EXPECT_LE(c["p50_ms"].get<double>(), c["p99_ms"].get<double>()) << c.dump();
    if (c["backend"] == "onnx") {
      EXPECT_GT(c["ort_over_torch"].get<double>(), 0) << c.dump();
    }
  }
  r = run_cli({"bench", "--quick"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("give --model FILE.onnx and/or --checkpoint DIR"));
}

// --compare-model with --checkpoint: all three alternate in each cell; ort/torch stays --model's
// over the checkpoint's, and only the compared file gets over_baseline.
TEST_F(PredictCli, BenchComparesASecondModelAlongsideTheCheckpoint) {
  const auto copy = tmp_ / "b.onnx";
  write_file_atomic(copy, read_file(model()));
  const auto r = run_cli({"bench", "--model", model(), "--compare-model", copy.string(),
                          "--checkpoint", checkpoint(), "--quick", "--json", "--synthetic", "8"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["cells"].size(), 18u);  // 3 backends x 2 batch sizes x 3 paddings
  std::map<std::string, int> cells;
  for (const auto& c : j["cells"]) {
    const std::string backend = c["backend"];
    ++cells[backend];
    EXPECT_EQ(c.contains("ort_over_torch"), backend == "onnx") << c.dump();
    EXPECT_EQ(c.contains("over_baseline"), backend == "onnx:b") << c.dump();
  }
  EXPECT_EQ(cells, (std::map<std::string, int>{{"onnx", 6}, {"onnx:b", 6}, {"torch", 6}}));
}

}  // namespace
}  // namespace cola::test

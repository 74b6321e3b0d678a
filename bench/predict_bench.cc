// Issue 6, target 1: what OnnxPredictor adds on top of ONNX Runtime. The 527 sentences of CoLA's
// in-domain dev set, batch 64, bert-tiny (L2/H128/A2, random weights, the BERT uncased vocabulary
// so tokenization is realistic), by intra-op threads, fp32 (int8:0) and `cola export --quantize
// int8` (int8:1; issue 14: int8 end to end >= 0.95x bare ORT on the same file):
//   BM_RawRun          the reference: the batches predict() makes (tokenized, sorted by length,
//                      padded to each batch's longest row) prepared once, with their Ort::Values;
//                      only Ort::Session::Run is timed
//   BM_SessionRunInto  the same batches through runtime::Session::run_into (wraps our buffers in
//                      Ort::Values each call): the wrapper's own cost
//   BM_OnnxPredictor   end to end from the raw strings: OnnxPredictor::predict (tokenize, sort,
//                      pad, run, softmax, restore order) with a reused Workspace
//
// Items/s are sentences/s. Target: BM_OnnxPredictor items/s / BM_RawRun items/s >= 0.90 (aim 0.95)
// at the same thread count. The vs_raw counter gives that ratio directly, measured paired: each
// iteration also times one untimed raw pass over the same batches (BM_RawRun's work), so both
// rates see the machine in the same state; on a busy machine trust vs_raw over the ratio of two
// rows. At 2 threads each switch between the two sessions first waits for the idle one's workers
// to stop spinning (kSpinSettle). BM_OnnxPredictor also splits its time into tokenize_share
// (tokenize + sort), forward_share (forward(): wrapping + Run) and the rest (pad, softmax, order).
//
// Data: $COLA_SHARED_DIR, else <repo>/../shared. Run with nothing else busy (2 cores), all on one
// line, and quote the medians:
//   build/<dir>/bench/predict_bench --benchmark_repetitions=5
//       --benchmark_enable_random_interleaving --benchmark_report_aggregates_only
#include <benchmark/benchmark.h>
#include <fmt/format.h>
// ORT's API directly, the one use outside src/runtime (DESIGN.md practice 7): BM_RawRun is the
// bare Ort::Session::Run that our wrapper and the predictor are measured against.
#include <onnxruntime_cxx_api.h>
#include <torch/utils.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <numeric>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "bench_models.h"
#include "runtime/onnx_predictor.h"
#include "spec/names.h"
#include "text/corpus.h"
#include "text/vocab.h"

namespace {

namespace fs = std::filesystem;
using namespace cola;
using Clock = std::chrono::steady_clock;

constexpr int64_t kBatch = 64;

// After its last Run, each idle intra-op worker of an ORT session busy-waits (~40 ms measured
// here) before it sleeps. Two sessions run back to back on 2 cores would fight over them: the
// paired benchmarks wait this long between the two sessions so that each runs alone.
constexpr auto kSpinSettle = std::chrono::milliseconds(100);

using bench::dev_path;
using bench::vocab_path;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Random-weight bert-tiny (google/bert_uncased_L-2_H-128_A-2's shape) over the real vocabulary,
// fp32 or dynamic int8 (`cola export --quantize int8`). Built once per process.
const fs::path& model_path(bool int8) {
  static const bench::TempDir dir;
  static const auto config = bench::bert_config(2, 128, 2);
  static const fs::path fp32 = bench::export_random(config, dir.path, "bert-tiny");
  static const fs::path quantized = [] {
    exporter::ExportOptions options;
    options.quantize = exporter::kInt8;
    return bench::export_random(config, dir.path, "bert-tiny", options);
  }();
  return int8 ? quantized : fp32;
}

const std::vector<std::string>& dev_sentences() {
  static const auto sentences = text::read_sentences(dev_path());
  return sentences;
}

// ORT has one environment per process (OrtEnv is a refcounted singleton): this handle shares
// runtime::Session's, and its error-only logging.
Ort::Env& ort_env() {
  static Ort::Env env(ORT_LOGGING_LEVEL_ERROR, "cola");
  return env;
}

// What make_options (src/runtime/ort_session.cc) gives OnnxPredictor for runtime::SessionOptions'
// defaults with `threads` intra-op threads, restated with ORT's API.
Ort::SessionOptions raw_options(int threads) {
  const runtime::SessionOptions d;
  if (d.optimization != runtime::GraphOptimization::kAll ||
      d.execution_mode != runtime::ExecutionMode::kSequential) {
    throw std::runtime_error(
        "predict_bench: runtime::SessionOptions' defaults changed; update "
        "raw_options to match them");
  }
  Ort::SessionOptions o;
  o.SetIntraOpNumThreads(threads);
  o.SetInterOpNumThreads(d.inter_op_threads);
  o.SetGraphOptimizationLevel(ORT_ENABLE_ALL);
  o.SetExecutionMode(ORT_SEQUENTIAL);
  o.AddConfigEntry("session.intra_op.allow_spinning", d.allow_spinning ? "1" : "0");
  o.AddConfigEntry("session.inter_op.allow_spinning", d.allow_spinning ? "1" : "0");
  if (d.memory_arena) {
    o.EnableCpuMemArena();
  } else {
    o.DisableCpuMemArena();
  }
  return o;
}

// One micro-batch as predict() makes it, with the Ort::Values that wrap it for BM_RawRun.
struct Batch {
  text::PaddedBatch padded;
  std::vector<float> logits;  // [batch, labels]
  std::array<int64_t, 2> out_shape{};
  std::array<Ort::Value, 2> inputs{Ort::Value(nullptr), Ort::Value(nullptr)};
  Ort::Value output{nullptr};
};

// predict()'s batching rebuilt from the library functions it uses: encode with the predictor's
// tokenizer and max_length, stable sort by length, micro-batches of batch_size, each padded to
// its longest row. `order` receives the text indices in batch order.
std::vector<Batch> make_batches(const predict::Predictor& p, const std::vector<std::string>& texts,
                                std::vector<size_t>& order) {
  const text::EncodeOptions encode{.max_length = p.options().max_length};
  std::vector<text::Encoding> encodings(texts.size());
  for (size_t i = 0; i < texts.size(); ++i) p.tokenizer().encode(texts[i], encode, encodings[i]);
  order.resize(texts.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return encodings[a].ids.size() < encodings[b].ids.size();
  });
  std::vector<Batch> batches;
  const auto batch_size = static_cast<size_t>(p.options().batch_size);
  for (size_t first = 0; first < order.size(); first += batch_size) {
    std::vector<std::span<const int64_t>> rows;
    for (size_t i = first; i < std::min(first + batch_size, order.size()); ++i) {
      rows.emplace_back(encodings[order[i]].ids);
    }
    Batch& b = batches.emplace_back();
    text::pad_batch(rows, p.options().padding, p.options().max_length,
                    p.tokenizer().vocab().special().pad, b.padded);
    b.out_shape = {b.padded.batch, static_cast<int64_t>(p.labels().size())};
    b.logits.resize(static_cast<size_t>(b.out_shape[0] * b.out_shape[1]));
  }
  return batches;
}

// Everything one thread count needs, built once: the predictor, a raw Ort::Session with the same
// options, and the batches with their Ort::Values.
struct Fixture {
  std::unique_ptr<runtime::OnnxPredictor> predictor;
  Ort::Session raw{nullptr};
  Ort::RunOptions run_options{nullptr};  // as run_into passes them
  std::vector<Batch> batches;
  std::vector<size_t> order;  // text indices in batch order
  int threads = 1;            // intra-op threads of both sessions
  const std::string output{spec::names::kLogits};

  Fixture(int intra_op_threads, bool int8) : threads(intra_op_threads) {
    runtime::OnnxPredictorOptions options;
    options.session.intra_op_threads = threads;
    options.predict.batch_size = kBatch;
    predictor = runtime::OnnxPredictor::open(model_path(int8), options);
    if (predictor->session().inputs().size() != 2) {
      throw std::runtime_error("the bench feeds input_ids and attention_mask only");
    }
    raw = Ort::Session(ort_env(), model_path(int8).c_str(), raw_options(threads));

    batches = make_batches(*predictor, dev_sentences(), order);
    const auto cpu = Ort::MemoryInfo::CreateCpu(OrtArenaAllocator, OrtMemTypeDefault);
    for (Batch& b : batches) {
      const std::array<int64_t, 2> shape = {b.padded.batch, b.padded.seq_len};
      auto& ids = b.padded.input_ids;
      auto& mask = b.padded.attention_mask;
      b.inputs[0] = Ort::Value::CreateTensor<int64_t>(cpu, ids.data(), ids.size(), shape.data(), 2);
      b.inputs[1] =
          Ort::Value::CreateTensor<int64_t>(cpu, mask.data(), mask.size(), shape.data(), 2);
      b.output = Ort::Value::CreateTensor<float>(cpu, b.logits.data(), b.logits.size(),
                                                 b.out_shape.data(), 2);
    }
    check_same_work();
  }

  // Waits out the spinning workers of the session that ran last (a 1-thread session has none).
  void settle() const {
    if (threads > 1) std::this_thread::sleep_for(kSpinSettle);
  }

  // One raw pass over every batch: BM_RawRun's timed work.
  void run_raw() {
    static constexpr std::array<const char*, 2> kInputs = {spec::names::kInputIds,
                                                           spec::names::kAttentionMask};
    const char* out = output.c_str();
    for (Batch& b : batches) {
      raw.Run(run_options, kInputs.data(), b.inputs.data(), 2, &out, &b.output, 1);
    }
  }

  // The untimed raw pass that each paired iteration adds, alone on the cores: its seconds.
  double paired_raw_seconds() {
    settle();
    const auto start = Clock::now();
    run_raw();
    const double seconds = seconds_since(start);
    settle();
    return seconds;
  }

  // The comparison is only fair if both sides do the same work: predict()'s last micro-batch
  // must be ours, and its scores the softmax of our logits, text for text.
  void check_same_work() {
    predict::Workspace ws;
    std::vector<predict::Prediction> predicted;
    predictor->predict(dev_sentences(), ws, predicted);
    if (ws.batch_seconds.size() != batches.size() ||
        ws.batch.input_ids != batches.back().padded.input_ids) {
      throw std::runtime_error("predict_bench: its batches differ from predict()'s");
    }
    run_raw();
    const size_t labels = predictor->labels().size();
    size_t sorted = 0;  // position in length order
    for (Batch& b : batches) {
      predict::softmax_rows(b.logits, labels);
      for (size_t row = 0; row < b.logits.size() / labels; ++row, ++sorted) {
        const auto& scores = predicted[order[sorted]].scores;
        for (size_t j = 0; j < labels; ++j) {
          if (std::abs(scores[j] - b.logits[row * labels + j]) > 1e-5f) {
            throw std::runtime_error(
                fmt::format("predict_bench: text {}: predict() gives {}, the raw run {}",
                            order[sorted], scores[j], b.logits[row * labels + j]));
          }
        }
      }
    }
  }
};

// Built on first use; main() destroys them before static destruction, so that no session
// outlives ORT's environment.
std::map<std::pair<int, bool>, std::unique_ptr<Fixture>>& fixtures() {
  static std::map<std::pair<int, bool>, std::unique_ptr<Fixture>> by_threads_and_model;
  return by_threads_and_model;
}

// state.range(0) threads, the fp32 model or (range(1) = 1) its int8 export.
Fixture& fixture(const benchmark::State& state) {
  const int threads = static_cast<int>(state.range(0));
  const bool int8 = state.range(1) != 0;
  auto& f = fixtures()[{threads, int8}];
  if (!f) f = std::make_unique<Fixture>(threads, int8);
  return *f;
}

void set_items(benchmark::State& state) {
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(dev_sentences().size()));
}

void BM_RawRun(benchmark::State& state) {
  Fixture& f = fixture(state);
  f.settle();                        // whatever ran before stops spinning
  for (auto _ : state) f.run_raw();  // NOLINT(clang-analyzer-deadcode.DeadStores)
  set_items(state);
}

void BM_SessionRunInto(benchmark::State& state) {
  Fixture& f = fixture(state);
  f.settle();  // whatever ran before stops spinning
  const auto& session = f.predictor->session();
  double ours = 0;        // seconds in run_into passes
  double raw = 0;         // seconds in the paired raw passes
  for (auto _ : state) {  // NOLINT(clang-analyzer-deadcode.DeadStores)
    const auto start = Clock::now();
    for (Batch& b : f.batches) {
      const std::array<int64_t, 2> shape = {b.padded.batch, b.padded.seq_len};
      const runtime::Int64View inputs[2] = {
          {spec::names::kInputIds, b.padded.input_ids, shape},
          {spec::names::kAttentionMask, b.padded.attention_mask, shape}};
      session.run_into(inputs, f.output.c_str(), b.logits, b.out_shape);
    }
    ours += seconds_since(start);
    state.PauseTiming();
    raw += f.paired_raw_seconds();
    state.ResumeTiming();
  }
  set_items(state);
  state.counters["vs_raw"] = raw / ours;
}

void BM_OnnxPredictor(benchmark::State& state) {
  Fixture& f = fixture(state);
  f.settle();  // whatever ran before stops spinning
  predict::Workspace ws;
  std::vector<predict::Prediction> out;
  double ours = 0;     // seconds in predict()
  double raw = 0;      // seconds in the paired raw passes
  double forward = 0;  // seconds in forward() inside predict()
  ws.tokenize_seconds = 0;
  for (auto _ : state) {  // NOLINT(clang-analyzer-deadcode.DeadStores)
    const auto start = Clock::now();
    f.predictor->predict(dev_sentences(), ws, out);
    ours += seconds_since(start);
    state.PauseTiming();
    forward += std::accumulate(ws.batch_seconds.begin(), ws.batch_seconds.end(), 0.0);
    ws.batch_seconds.clear();  // predict() appends; keep it from growing across iterations
    raw += f.paired_raw_seconds();
    state.ResumeTiming();
  }
  set_items(state);
  state.counters["vs_raw"] = raw / ours;
  state.counters["tokenize_share"] = ws.tokenize_seconds / ours;
  state.counters["forward_share"] = forward / ours;
}

void threads_1_and_2(benchmark::internal::Benchmark* b) {
  b->ArgNames({"threads", "int8"})
      ->ArgsProduct({{1, 2}, {0, 1}})
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime();
}
BENCHMARK(BM_RawRun)->Apply(threads_1_and_2);
BENCHMARK(BM_SessionRunInto)->Apply(threads_1_and_2);
BENCHMARK(BM_OnnxPredictor)->Apply(threads_1_and_2);

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
  for (const auto& path : {dev_path(), vocab_path()}) {
    if (!fs::is_regular_file(path)) {
      std::cerr << "predict_bench: " << path.string()
                << " not found; set COLA_SHARED_DIR to the shared/ directory\n";
      return 1;
    }
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  fixtures().clear();
  return 0;
}

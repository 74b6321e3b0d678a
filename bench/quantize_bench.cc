// Issue 14, target 6: `cola export --quantize int8` against fp32 on the same random-weight models,
// in sentences/s through OnnxPredictor::predict (tokenize, sort, pad, run, softmax: what `cola
// predict` does), one intra-op thread. shape:0 is CoLA's in-domain dev sentences, each batch
// padded to its longest row; shape:1 is the prototype's fixed shape (every row padded or
// cut to `tokens`, synthetic sentences long enough to fill it), for comparing absolute times:
//   BM_Int8VsFp32/model:0/batch:64/shape:0   bert-tiny (L2/H128), dev   target speedup >= 2.2
//   BM_Int8VsFp32/model:0/batch:1/shape:0    bert-tiny, one at a time   target speedup >= 1.2
//   BM_Int8VsFp32/model:1/batch:64/shape:0   bert-base (L12/H768), dev  target speedup >= 3.5
//   BM_Int8VsFp32/model:0/batch:64/shape:1   bert-tiny 64 x 16 (prototype: 7.7 -> 3.5 ms a batch)
//   BM_Int8VsFp32/model:0/batch:1/shape:1    bert-tiny 1 x 12  (prototype: 0.149 -> 0.125 ms)
//   BM_Int8VsFp32/model:1/batch:8/shape:1    bert-base 8 x 32  (prototype: 425 -> 120 ms)
// bert-base reads the first 128 sentences (one fp32 pass is seconds); bert-tiny 527.
// Paired: each iteration times one int8 pass and then one fp32 pass over the same sentences, so
// the `speedup` counter (fp32 seconds / int8 seconds, summed over iterations) is measured side by
// side; the reported time is int8's, and int8_batch_ms / fp32_batch_ms are per forward batch. The
// context lines name the CPU and whether it has avx512_vnni, on which the figures depend.
//   build/<dir>/bench/quantize_bench --benchmark_repetitions=3 --benchmark_report_aggregates_only
#include <benchmark/benchmark.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "bench_models.h"
#include "runtime/onnx_predictor.h"
#include "text/corpus.h"

namespace {

using namespace cola;
using Clock = std::chrono::steady_clock;

struct Pair {
  std::unique_ptr<runtime::OnnxPredictor> fp32, int8;
  std::vector<std::string> texts;
};

const bench::TempDir& temp_dir() {
  static const bench::TempDir dir;
  return dir;
}

// The two files of one model (0 = bert-tiny, 1 = bert-base), exported once per process.
std::pair<std::filesystem::path, std::filesystem::path> files(int64_t model) {
  static std::map<int64_t, std::pair<std::filesystem::path, std::filesystem::path>> cache;
  auto& f = cache[model];
  if (f.first.empty()) {
    const auto config =
        model == 0 ? bench::bert_config(2, 128, 2) : bench::bert_config(12, 768, 12);
    const std::string name = model == 0 ? "bert-tiny" : "bert-base";
    exporter::ExportOptions int8;
    int8.quantize = exporter::kInt8;
    f = {bench::export_random(config, temp_dir().path, name),
         bench::export_random(config, temp_dir().path, name, int8)};
  }
  return f;
}

// The prototype's tokens per row for (model, batch): 64 x 16 and 1 x 12 on bert-tiny, 8 x 32 on
// bert-base.
int64_t prototype_tokens(int64_t model, int64_t batch) {
  if (model == 1) return 32;
  return batch == 1 ? 12 : 16;
}

// Sentences of 40 words from the vocabulary: longer than any fixed shape, so every row is cut.
std::vector<std::string> long_sentences(size_t n) {
  const auto vocab = text::read_sentences(bench::vocab_path());
  std::vector<std::string> out(n);
  for (size_t i = 0; i < n; ++i) {
    for (size_t w = 0; w < 40; ++w) {
      out[i] += (w ? " " : "") + vocab[2000 + (i * 131 + w * 17) % 4000];
    }
  }
  return out;
}

std::map<std::vector<int64_t>, std::unique_ptr<Pair>>& pairs() {
  static std::map<std::vector<int64_t>, std::unique_ptr<Pair>> by_args;
  return by_args;
}

Pair& pair(int64_t model, int64_t batch, bool fixed) {
  auto& p = pairs()[{model, batch, fixed ? 1 : 0}];
  if (!p) {
    p = std::make_unique<Pair>();
    runtime::OnnxPredictorOptions options;
    options.predict.batch_size = batch;
    if (fixed) {
      options.predict.padding = text::Padding::max_length;
      options.predict.max_length = prototype_tokens(model, batch);
    }
    const auto [fp32, int8] = files(model);
    p->fp32 = runtime::OnnxPredictor::open(fp32, options);
    p->int8 = runtime::OnnxPredictor::open(int8, options);
    p->texts = fixed ? long_sentences(static_cast<size_t>(batch) * (model == 1 ? 4 : 16))
                     : text::read_sentences(bench::dev_path());
    if (!fixed && model == 1) p->texts.resize(128);
  }
  return *p;
}

double time_pass(const runtime::OnnxPredictor& p, const std::vector<std::string>& texts,
                 predict::Workspace& ws, std::vector<predict::Prediction>& out) {
  const auto start = Clock::now();
  p.predict(texts, ws, out);
  ws.batch_seconds.clear();  // predict() appends; keep it from growing across iterations
  return std::chrono::duration<double>(Clock::now() - start).count();
}

void BM_Int8VsFp32(benchmark::State& state) {
  Pair& p = pair(state.range(0), state.range(1), state.range(2) != 0);
  predict::Workspace ws_int8, ws_fp32;
  std::vector<predict::Prediction> out_int8, out_fp32;
  time_pass(*p.int8, p.texts, ws_int8, out_int8);  // warm-up: first-run allocations
  time_pass(*p.fp32, p.texts, ws_fp32, out_fp32);
  double int8 = 0, fp32 = 0;
  for (auto _ : state) {  // NOLINT(clang-analyzer-deadcode.DeadStores)
    const double t = time_pass(*p.int8, p.texts, ws_int8, out_int8);
    int8 += t;
    state.SetIterationTime(t);
    fp32 += time_pass(*p.fp32, p.texts, ws_fp32, out_fp32);
  }
  const auto n = static_cast<double>(p.texts.size() * state.iterations());
  const double batches = n / static_cast<double>(state.range(1));
  state.SetItemsProcessed(static_cast<int64_t>(n));
  state.counters["int8_per_s"] = n / int8;
  state.counters["fp32_per_s"] = n / fp32;
  state.counters["int8_batch_ms"] = 1e3 * int8 / batches;
  state.counters["fp32_batch_ms"] = 1e3 * fp32 / batches;
  state.counters["speedup"] = fp32 / int8;
}

BENCHMARK(BM_Int8VsFp32)
    ->ArgNames({"model", "batch", "shape"})
    ->Args({0, 64, 0})
    ->Args({0, 1, 0})
    ->Args({1, 64, 0})
    ->Args({0, 64, 1})
    ->Args({0, 1, 1})
    ->Args({1, 8, 1})
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

// /proc/cpuinfo's first "model name" and whether its flags include avx512_vnni.
void add_cpu_context() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line, model = "unknown", vnni = "no";
  bool have_model = false, have_flags = false;
  while (std::getline(cpuinfo, line) && !(have_model && have_flags)) {
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    if (!have_model && line.rfind("model name", 0) == 0) {
      model = line.substr(colon + 2);
      have_model = true;
    } else if (!have_flags && line.rfind("flags", 0) == 0) {
      vnni = line.find(" avx512_vnni") != std::string::npos ? "yes" : "no";
      have_flags = true;
    }
  }
  benchmark::AddCustomContext("cpu_model", model);
  benchmark::AddCustomContext("avx512_vnni", vnni);
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
  for (const auto& path : {bench::dev_path(), bench::vocab_path()}) {
    if (!std::filesystem::is_regular_file(path)) {
      std::cerr << "quantize_bench: " << path.string()
                << " not found; set COLA_SHARED_DIR to the shared/ directory\n";
      return 1;
    }
  }
  add_cpu_context();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  pairs().clear();  // no session outlives ORT's environment
  return 0;
}

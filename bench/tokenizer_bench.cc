// Tokenizer throughput on the CoLA training sentences, one thread (target: >= 500k sentences/s in
// Release). Data: $COLA_SHARED_DIR, else <repo>/../shared.
//   build/<dir>/bench/tokenizer_bench --benchmark_min_time=2
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "shared_dir.h"
#include "text/corpus.h"
#include "text/tokenizer.h"

namespace {

namespace fs = std::filesystem;
using cola::text::Tokenizer;

using cola::bench::shared_dir;

struct Fixture {
  Tokenizer tokenizer;
  std::vector<std::string> sentences;
};

// Loaded once; a missing data directory skips the benchmarks with a message instead of crashing.
const Fixture* fixture(benchmark::State& state) {
  static const Fixture* loaded = []() -> const Fixture* {
    const fs::path root = shared_dir();
    const fs::path vocab = root / "data/vocab/bert-base-uncased-vocab.txt";
    const fs::path train = root / "data/cola/raw/in_domain_train.tsv";
    if (!fs::exists(vocab) || !fs::exists(train)) return nullptr;
    return new Fixture{Tokenizer::from_file(vocab), cola::text::read_sentences(train)};
  }();
  if (loaded == nullptr) state.SkipWithError("shared data not found (set COLA_SHARED_DIR)");
  return loaded;
}

void report(benchmark::State& state, size_t sentences) {
  const auto n = static_cast<double>(state.iterations()) * static_cast<double>(sentences);
  state.counters["sentences/s"] = benchmark::Counter(n, benchmark::Counter::kIsRate);
}

// The hot path of training and inference: ids only, buffers reused.
void BM_TokenizeColaTrain(benchmark::State& state) {
  const Fixture* f = fixture(state);
  if (f == nullptr) return;
  cola::text::Encoding enc;
  const cola::text::EncodeOptions options{.max_length = 128};
  for (auto _ : state) {  // NOLINT(clang-analyzer-deadcode.DeadStores): the benchmark idiom
    for (const auto& s : f->sentences) {
      f->tokenizer.encode(s, options, enc);
      benchmark::DoNotOptimize(enc.ids.data());
    }
  }
  report(state, f->sentences.size());
}
BENCHMARK(BM_TokenizeColaTrain)->Unit(benchmark::kMillisecond);

// With token strings, as `cola tokenize` prints them.
void BM_TokenizeColaTrainWithTokens(benchmark::State& state) {
  const Fixture* f = fixture(state);
  if (f == nullptr) return;
  cola::text::Encoding enc;
  const cola::text::EncodeOptions options{.max_length = 128, .with_tokens = true};
  for (auto _ : state) {  // NOLINT(clang-analyzer-deadcode.DeadStores): the benchmark idiom
    for (const auto& s : f->sentences) {
      f->tokenizer.encode(s, options, enc);
      benchmark::DoNotOptimize(enc.tokens.data());
    }
  }
  report(state, f->sentences.size());
}
BENCHMARK(BM_TokenizeColaTrainWithTokens)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();

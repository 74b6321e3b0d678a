// Training throughput of bert-tiny (L2/H128/A2), batch 64, through the trainer's own step
// (train::train_step: forward, loss, backward, clipping, FusedAdamW), in sentences/s:
//   BM_TrainStepFixed/<seq>/<threads>/<parallel>  every sentence exactly <seq> tokens, no padding:
//                                      the setting of the Python eager baseline (16 tokens)
//   BM_TrainStepCoLA/<padding>/<threads>/<parallel>  the batches of one CoLA epoch in training
//                                      order, padded dynamically (0: `longest`, as the trainer
//                                      does) or to 128 (1: the original's setting)
// <parallel> 1 splits each batch over <threads> replicas with 1 LibTorch thread each
// (training.data_parallel, the default); 0 gives LibTorch <threads> intra-op threads instead.
// Data: $COLA_SHARED_DIR, else <repo>/../shared. Run with nothing else busy (2 cores):
//   build/release/bench/train_bench --benchmark_repetitions=3 --benchmark_report_aggregates_only
#include <ATen/Parallel.h>
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <initializer_list>
#include <memory>

#include "config/model_spec.h"
#include "config/schema.h"
#include "data/batcher.h"
#include "model/bert.h"
#include "shared_dir.h"
#include "train/optimizer.h"
#include "train/prepare.h"
#include "train/train_step.h"

namespace {

namespace fs = std::filesystem;
using namespace cola;

constexpr int kBatch = 64;

using cola::bench::shared_dir;

// A fresh bert-tiny with the BERT uncased vocabulary's size and AdamW as `cola train` makes them.
struct Trainee {
  model::BertForSequenceClassification model{nullptr};
  std::unique_ptr<train::FusedAdamW> optimizer;

  explicit Trainee(int64_t vocab_size) {
    torch::manual_seed(0);
    config::ModelConfig mc;  // bert-tiny defaults
    model = model::BertForSequenceClassification(
        config::bert_config(mc, vocab_size, {"unacceptable", "acceptable"}, 0));
    model->train();
    model->bert()->embeddings()->set_sparse_word_gradient(true);
    config::TrainingConfig tc;
    optimizer = train::make_adamw(*model, tc);
  }
};

// Threads as the trainer sets them from training.num_threads and training.data_parallel.
std::unique_ptr<train::Replicas> use_threads(const Trainee& t, int64_t threads, bool parallel) {
  at::set_num_threads(parallel ? 1 : static_cast<int>(threads));
  return parallel && threads > 1
             ? std::make_unique<train::Replicas>(t.model, static_cast<int>(threads) - 1)
             : nullptr;
}

void BM_TrainStepFixed(benchmark::State& state) {
  const int64_t seq = state.range(0);
  Trainee t(30522);
  const auto replicas = use_threads(t, state.range(1), state.range(2) != 0);
  train::BatchTensors batch{torch::randint(1000, 30000, {kBatch, seq}, torch::kLong),
                            torch::ones({kBatch, seq}, torch::kLong),
                            torch::randint(0, 2, {kBatch}, torch::kLong)};
  for (auto _ : state) {
    benchmark::DoNotOptimize(train::train_step(t.model, *t.optimizer, batch, 1.0, replicas.get()));
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
  state.counters["tokens_per_sentence"] = static_cast<double>(seq);
}
// For each first argument: 1 thread, 2 intra-op threads, and 2 threads splitting the batch.
void thread_settings(benchmark::internal::Benchmark* b, std::initializer_list<int64_t> firsts) {
  for (const int64_t first : firsts)
    b->Args({first, 1, 0})->Args({first, 2, 0})->Args({first, 2, 1});
}

BENCHMARK(BM_TrainStepFixed)
    ->Apply([](auto* b) {
      thread_settings(b, {16, 128});
    }) -> ArgNames({"seq", "threads", "parallel"}) -> Unit(benchmark::kMillisecond)
        -> UseRealTime();

// CoLA in_domain_train tokenized once with the BERT uncased vocabulary.
const train::PreparedData* cola_train(benchmark::State& state) {
  static const std::unique_ptr<train::PreparedData> loaded = []() {
    config::DataConfig cfg;
    cfg.dir = (shared_dir() / "data/cola/raw").string();
    cfg.train_file = "in_domain_train.tsv";
    cfg.valid_file = "";
    cfg.format = "cola_tsv";
    cfg.vocab = (shared_dir() / "data/vocab/bert-base-uncased-vocab.txt").string();
    if (!fs::exists(cfg.vocab) || !fs::exists(fs::path(cfg.dir) / cfg.train_file)) {
      return std::unique_ptr<train::PreparedData>();
    }
    return std::make_unique<train::PreparedData>(
        train::prepare_data(cfg, fs::temp_directory_path()));
  }();
  if (!loaded) state.SkipWithError("CoLA not found under $COLA_SHARED_DIR or ../shared");
  return loaded.get();
}

void BM_TrainStepCoLA(benchmark::State& state) {
  const auto* prepared = cola_train(state);
  if (prepared == nullptr) return;
  config::DataConfig cfg;
  cfg.padding = state.range(0) == 0 ? "longest" : "max_length";
  const data::Batcher batcher(prepared->train, cfg, prepared->tokenizer.vocab().special().pad);
  const auto plan = batcher.train_plan(42, 0);
  Trainee t(prepared->tokenizer.vocab().size());
  const auto replicas = use_threads(t, state.range(1), state.range(2) != 0);
  data::Batch batch;
  size_t next = 0;
  int64_t sentences = 0;
  int64_t tokens = 0;
  for (auto _ : state) {
    state.PauseTiming();
    batcher.make_batch(plan[next], batch);
    next = (next + 1) % plan.size();
    state.ResumeTiming();
    benchmark::DoNotOptimize(
        train::train_step(t.model, *t.optimizer, train::as_tensors(batch), 1.0, replicas.get()));
    sentences += batch.inputs.batch;
    tokens += batch.inputs.batch * batch.inputs.seq_len;
  }
  state.SetItemsProcessed(sentences);
  state.counters["padded_tokens_per_sentence"] =
      static_cast<double>(tokens) / static_cast<double>(std::max<int64_t>(1, sentences));
  // Seconds per epoch at this rate: elapsed time / epochs' worth of sentences processed.
  state.counters["epoch_seconds"] =
      benchmark::Counter(static_cast<double>(sentences) / static_cast<double>(batcher.size()),
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_TrainStepCoLA)
    ->Apply([](auto* b) {
      thread_settings(b, {0, 1});
    }) -> ArgNames({"pad128", "threads", "parallel"}) -> Unit(benchmark::kMillisecond)
        -> UseRealTime();

}  // namespace

BENCHMARK_MAIN();

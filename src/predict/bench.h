#pragma once
// `cola bench`: the same sentences through each backend across batch sizes, padding modes and
// thread counts. Warm-up passes first; each cell then runs `repetitions` passes over the data,
// alternating between the backends so that their ratio is measured side by side, and reports the
// median throughput and the latency quantiles of its forward passes. A comparison (two ONNX files,
// say an int8 model against its fp32 original) adds one backend's throughput over another's.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "predict/latency.h"
#include "predict/predictor.h"

namespace cola::predict {

/// How rows are padded in a cell.
enum class BenchPadding {
  kDynamic,   // input order, each batch padded to its longest row
  kBucketed,  // sorted by length first, then as dynamic (what `cola predict` does)
  kFixed,     // every row padded to fixed_length (the seed's padding="max_length", 128)
};
std::string_view bench_padding_name(BenchPadding p);

/// Two backends of the grid, each timed on its own file, whose ratio gets a column of its own.
struct BenchComparison {
  std::string baseline, compared;              // backend names, as in BenchOptions::backends
  std::string baseline_model, compared_model;  // what each runs (a path), for the header
};

struct BenchOptions {
  std::vector<std::string> backends = {"onnx", "torch"};     // the cells' names; the factory's keys
  std::optional<BenchComparison> comparison = std::nullopt;  // none: no over-baseline ratio
  std::vector<int> threads = {1, 0};                         // 0 = all cores
  std::vector<int64_t> batch_sizes = {1, 8, 64};
  std::vector<BenchPadding> paddings = {BenchPadding::kDynamic, BenchPadding::kBucketed,
                                        BenchPadding::kFixed};
  int64_t fixed_length = 128;  // tokens per row under kFixed
  int warmup = 1;              // untimed passes over the data per cell
  int repetitions = 5;         // timed passes per cell; the median is reported
};

/// One cell of the grid.
struct BenchCell {
  std::string backend;
  int threads = 0;
  int64_t batch_size = 0;
  BenchPadding padding = BenchPadding::kDynamic;
  double sentences_per_second = 0;  // median over repetitions, end to end (tokenize..softmax)
  double forward_share = 0;         // forward() time / end-to-end time, median pass
  LatencySummary latency;           // per forward() batch, pooled over repetitions
  int64_t static_seq_len = 0;       // the model's static sequence axis, to which every padding
                                    // mode pads (so no dynamic/fixed ratio); 0 = none
};

/// Where the figures came from: the caller fills it (this module knows no runtime).
struct BenchMachine {
  std::string cpu;          // the CPU's brand string
  std::string cpu_flags;    // its int8-relevant flags: "avx2 avx512bw avx512_vnni"
  std::string int8_kernel;  // the kernel ONNX Runtime runs int8 MatMuls with on it
};

struct BenchReport {
  BenchMachine machine;
  int64_t sentences = 0;
  double mean_tokens = 0;       // per sentence, [CLS]/[SEP] included
  double tokenize_seconds = 0;  // median over repetitions, the whole data set
  int warmup = 0, repetitions = 0;
  std::vector<std::string> notes;  // how models with static axes changed the grid, one a line
  std::vector<BenchCell> cells;
  std::optional<BenchComparison> comparison;  // as given in BenchOptions
  /// The cell for these keys, or nullptr.
  const BenchCell* find(const std::string& backend, int threads, int64_t batch,
                        BenchPadding padding) const;
};

/// Opens a predictor for a backend and a thread count (the caller decides what a backend is).
using PredictorFactory =
    std::function<std::unique_ptr<Predictor>(const std::string& backend, int threads)>;

/// Runs the grid on `texts`. Every backend is opened once per thread count, and all of them stay
/// open while that thread count's cells run. Cells come back by backend, then in grid order, named
/// as in options.backends (not Predictor::backend(), which two ONNX files share). A
/// model with a static batch axis (Predictor::fixed_shape) replaces the batch sizes with its own,
/// with a note; Error when two models pin different ones, or when options.comparison names a
/// backend not in options.backends.
BenchReport run_bench(const std::vector<std::string>& texts, const PredictorFactory& open,
                      const BenchOptions& options);

/// The report as a markdown table with the ORT/LibTorch and dynamic/fixed-128 ratios (none for a
/// model whose static sequence axis pads every mode alike), its notes above it. With a comparison,
/// a line above says which file each of its backends runs, and an "over baseline" column gives the
/// compared backend's sentences/s over the baseline's in the same cell.
std::string bench_markdown(const BenchReport& report);
/// The report as JSON: with a comparison, a "comparison" object and "over_baseline" in the
/// compared backend's cells.
std::string bench_json(const BenchReport& report);

}  // namespace cola::predict

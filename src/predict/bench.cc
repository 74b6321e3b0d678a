#include "predict/bench.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>
#include <numeric>
#include <thread>

#include "core/clock.h"
#include "core/enum_names.h"
#include "core/error.h"

namespace cola::predict {
namespace {

using core::Clock;

constexpr auto kSpinSettle = std::chrono::milliseconds(60);

PredictOptions options_for(BenchPadding padding, int64_t batch, int64_t fixed_length,
                           int64_t max_length) {
  PredictOptions o;
  o.batch_size = batch;
  o.max_length = max_length;
  o.sort_by_length = padding == BenchPadding::kBucketed;
  if (padding == BenchPadding::kFixed) {
    o.padding = text::Padding::max_length;
    o.max_length = std::min(fixed_length, max_length);
  }
  return o;
}

// One backend's share of a cell: its timed passes, kept apart while passes alternate.
struct CellTimes {
  Workspace ws;
  std::vector<Prediction> out;
  std::vector<double> throughput, share, batches;
};

void timed_pass(const Predictor& p, const std::vector<std::string>& texts, CellTimes& t) {
  t.ws.batch_seconds.clear();
  const auto start = Clock::now();
  p.predict(texts, t.ws, t.out);
  const double total = core::seconds_since(start);
  const double forward = std::accumulate(t.ws.batch_seconds.begin(), t.ws.batch_seconds.end(), 0.0);
  t.throughput.push_back(static_cast<double>(texts.size()) / total);
  t.share.push_back(forward / total);
  t.batches.insert(t.batches.end(), t.ws.batch_seconds.begin(), t.ws.batch_seconds.end());
}

// One cell for every backend. The timed passes alternate between the backends, so that the drift
// of a shared machine hits them alike and their ratio is measured side by side. With more than
// one thread, a pause before each pass lets the other backend's idle workers stop spinning (ORT's
// spin for ~40 ms after a run, measured by bench/predict_bench).
std::vector<BenchCell> run_cell(const std::vector<std::unique_ptr<Predictor>>& predictors,
                                const std::vector<int64_t>& max_lengths,
                                const std::vector<std::string>& texts, BenchPadding padding,
                                int64_t batch, int threads, const BenchOptions& options) {
  std::vector<CellTimes> times(predictors.size());
  for (size_t i = 0; i < predictors.size(); ++i) {
    predictors[i]->set_options(options_for(padding, batch, options.fixed_length, max_lengths[i]));
  }
  const auto settle = [&] {
    if (threads != 1 && predictors.size() > 1) std::this_thread::sleep_for(kSpinSettle);
  };
  for (size_t i = 0; i < predictors.size(); ++i) {
    settle();
    for (int w = 0; w < options.warmup; ++w) {
      predictors[i]->predict(texts, times[i].ws, times[i].out);
    }
  }
  for (int r = 0; r < options.repetitions; ++r) {
    for (size_t i = 0; i < predictors.size(); ++i) {
      settle();
      timed_pass(*predictors[i], texts, times[i]);
    }
  }
  std::vector<BenchCell> cells;
  for (size_t i = 0; i < predictors.size(); ++i) {
    BenchCell cell;
    cell.backend = options.backends[i];
    cell.threads = threads;
    cell.batch_size = batch;
    cell.padding = padding;
    cell.sentences_per_second = quantile(times[i].throughput, 0.5);
    cell.forward_share = quantile(times[i].share, 0.5);
    cell.latency =
        summarize(times[i].batches, static_cast<int64_t>(texts.size()) * options.repetitions);
    cell.static_seq_len = predictors[i]->fixed_shape().seq_len;
    cells.push_back(std::move(cell));
  }
  return cells;
}

// Tokenization alone, over the whole data set: median of `repetitions` passes.
double time_tokenize(const Predictor& p, const std::vector<std::string>& texts, int repetitions,
                     double& mean_tokens) {
  text::Encoding e;
  std::vector<double> times;
  int64_t tokens = 0;
  for (int i = 0; i < std::max(1, repetitions); ++i) {
    tokens = 0;
    const auto start = Clock::now();
    for (const auto& t : texts) {
      p.tokenizer().encode(t, {.max_length = p.options().max_length, .with_tokens = false}, e);
      tokens += static_cast<int64_t>(e.ids.size());
    }
    times.push_back(core::seconds_since(start));
  }
  mean_tokens = texts.empty() ? 0 : static_cast<double>(tokens) / static_cast<double>(texts.size());
  return quantile(times, 0.5);
}

void add_note(std::vector<std::string>& notes, std::string note) {
  if (std::find(notes.begin(), notes.end(), note) == notes.end()) notes.push_back(std::move(note));
}

// The batch sizes to run: the grid's, unless a model takes one batch size only. Notes what a
// static axis changes.
std::vector<int64_t> batch_grid(const std::vector<std::unique_ptr<Predictor>>& predictors,
                                const BenchOptions& options, std::vector<std::string>& notes) {
  std::vector<int64_t> grid = options.batch_sizes;
  int64_t pinned = 0;
  for (size_t i = 0; i < predictors.size(); ++i) {
    const std::string& name = options.backends[i];
    const FixedShape& fixed = predictors[i]->fixed_shape();
    if (fixed.seq_len > 0) {
      add_note(notes, fmt::format("{0}: the model takes exactly {1} tokens, so the dynamic, "
                                  "bucketed and fixed cells all pad every sentence to {1} (no "
                                  "dynamic/fixed ratio)",
                                  name, fixed.seq_len));
    }
    if (fixed.batch <= 0) continue;
    if (pinned > 0 && pinned != fixed.batch) {
      throw Error(
          fmt::format("bench: the models take batches of exactly {} and {} sentences: no "
                      "batch size suits both",
                      pinned, fixed.batch));
    }
    pinned = fixed.batch;
    if (grid != std::vector<int64_t>{pinned}) {
      add_note(notes, fmt::format("{}: the model takes batches of exactly {} sentences, so batch "
                                  "sizes {} run as {}",
                                  name, pinned, fmt::join(grid, ", "), pinned));
    }
  }
  if (pinned > 0) grid = {pinned};
  return grid;
}

double ratio(const BenchCell* a, const BenchCell* b) {
  return a != nullptr && b != nullptr && b->sentences_per_second > 0
             ? a->sentences_per_second / b->sentences_per_second
             : 0;
}

std::string ratio_text(double r) { return r > 0 ? fmt::format("{:.2f}x", r) : "-"; }

// The compared backend's throughput over the baseline's in the cell of `c`; 0 for any other
// backend's cell, or without a comparison.
double over_baseline(const BenchReport& r, const BenchCell& c) {
  if (!r.comparison || c.backend != r.comparison->compared) return 0;
  return ratio(&c, r.find(r.comparison->baseline, c.threads, c.batch_size, c.padding));
}

void check_comparison(const BenchOptions& o) {
  if (!o.comparison) return;
  const auto has = [&](const std::string& b) {
    return std::find(o.backends.begin(), o.backends.end(), b) != o.backends.end();
  };
  for (const auto* b : {&o.comparison->baseline, &o.comparison->compared}) {
    if (!has(*b)) {
      throw Error(fmt::format("bench: compared backend '{}' is not among the backends ({})", *b,
                              fmt::join(o.backends, ", ")));
    }
  }
}

}  // namespace

std::string_view bench_padding_name(BenchPadding p) {
  static constexpr EnumNames<BenchPadding, 3> kNames = {{{BenchPadding::kDynamic, "dynamic"},
                                                         {BenchPadding::kBucketed, "bucketed"},
                                                         {BenchPadding::kFixed, "fixed"}}};
  return enum_name(kNames, p);
}

const BenchCell* BenchReport::find(const std::string& backend, int threads, int64_t batch,
                                   BenchPadding padding) const {
  for (const auto& c : cells) {
    if (c.backend == backend && c.threads == threads && c.batch_size == batch &&
        c.padding == padding) {
      return &c;
    }
  }
  return nullptr;
}

BenchReport run_bench(const std::vector<std::string>& texts, const PredictorFactory& open,
                      const BenchOptions& options) {
  if (texts.empty()) throw Error("bench: no sentences to run");
  if (options.repetitions < 1) throw UsageError("bench: repetitions must be >= 1");
  check_comparison(options);
  BenchReport report;
  report.comparison = options.comparison;
  report.sentences = static_cast<int64_t>(texts.size());
  report.warmup = options.warmup;
  report.repetitions = options.repetitions;
  for (int threads : options.threads) {
    std::vector<std::unique_ptr<Predictor>> predictors;
    std::vector<int64_t> max_lengths;  // each model's own, before the cells change options
    for (const auto& backend : options.backends) {
      predictors.push_back(open(backend, threads));
      max_lengths.push_back(predictors.back()->options().max_length);
    }
    if (report.tokenize_seconds == 0) {
      report.tokenize_seconds =
          time_tokenize(*predictors.front(), texts, options.repetitions, report.mean_tokens);
    }
    for (int64_t batch : batch_grid(predictors, options, report.notes)) {
      for (BenchPadding padding : options.paddings) {
        for (auto& cell :
             run_cell(predictors, max_lengths, texts, padding, batch, threads, options)) {
          report.cells.push_back(std::move(cell));
        }
      }
    }
  }
  // Rows by backend, then threads, batch and padding, as the table reads best.
  std::stable_sort(report.cells.begin(), report.cells.end(),
                   [&](const BenchCell& a, const BenchCell& b) {
                     const auto rank = [&](const std::string& backend) {
                       return std::find(options.backends.begin(), options.backends.end(), backend) -
                              options.backends.begin();
                     };
                     return rank(a.backend) < rank(b.backend);
                   });
  return report;
}

std::string bench_markdown(const BenchReport& r) {
  std::string out;
  if (!r.machine.cpu.empty()) {
    out += fmt::format("machine: {} ({}); ONNX Runtime int8: {}\n\n", r.machine.cpu,
                       r.machine.cpu_flags, r.machine.int8_kernel);
  }
  out += fmt::format(
      "{} sentences ({:.1f} tokens on average); tokenization alone: {:.2f} ms ({:.0f} "
      "sentences/s); {} warm-up pass(es), median of {} timed passes per cell\n\n",
      r.sentences, r.mean_tokens, r.tokenize_seconds * 1e3,
      r.tokenize_seconds > 0 ? static_cast<double>(r.sentences) / r.tokenize_seconds : 0.0,
      r.warmup, r.repetitions);
  if (const auto& cmp = r.comparison) {
    out += fmt::format(
        "baseline: {} = {}; compared: {} = {}; over baseline: the compared sentences/s over the "
        "baseline's in the same cell\n\n",
        cmp->baseline, cmp->baseline_model, cmp->compared, cmp->compared_model);
  }
  for (const auto& note : r.notes) out += "note: " + note + "\n";
  if (!r.notes.empty()) out += "\n";
  // The over-baseline column only with a comparison, so that a plain run's table stays as it was.
  const bool compare = r.comparison.has_value();
  out += fmt::format(
      "| backend | threads | batch | padding | p50 ms | p90 ms | p99 ms | sentences/s | "
      "forward share | ort/torch |{} dynamic/fixed |\n"
      "|---|---|---|---|---|---|---|---|---|---|---|{}\n",
      compare ? " over baseline |" : "", compare ? "---|" : "");
  for (const auto& c : r.cells) {
    const BenchCell* torch = r.find("torch", c.threads, c.batch_size, c.padding);
    const BenchCell* fixed = r.find(c.backend, c.threads, c.batch_size, BenchPadding::kFixed);
    const double vs_torch = c.backend == "onnx" ? ratio(&c, torch) : 0;
    const double vs_fixed = c.padding != BenchPadding::kFixed ? ratio(&c, fixed) : 0;
    const std::string fixed_text = c.static_seq_len > 0 && c.padding != BenchPadding::kFixed
                                       ? fmt::format("- (all {})", c.static_seq_len)
                                       : ratio_text(vs_fixed);
    const std::string over = compare ? fmt::format(" {} |", ratio_text(over_baseline(r, c))) : "";
    out += fmt::format(
        "| {} | {} | {} | {} | {:.3f} | {:.3f} | {:.3f} | {:.0f} | {:.0f}% | {} |{} {} |\n",
        c.backend, c.threads == 0 ? std::string("all") : std::to_string(c.threads), c.batch_size,
        bench_padding_name(c.padding), c.latency.p50 * 1e3, c.latency.p90 * 1e3,
        c.latency.p99 * 1e3, c.sentences_per_second, 100 * c.forward_share, ratio_text(vs_torch),
        over, fixed_text);
  }
  return out;
}

std::string bench_json(const BenchReport& r) {
  nlohmann::ordered_json j;
  j["machine"] = {{"cpu", r.machine.cpu},
                  {"cpu_flags", r.machine.cpu_flags},
                  {"int8_kernel", r.machine.int8_kernel}};
  j["sentences"] = r.sentences;
  j["mean_tokens"] = r.mean_tokens;
  j["tokenize_seconds"] = r.tokenize_seconds;
  j["warmup"] = r.warmup;
  j["repetitions"] = r.repetitions;
  j["notes"] = r.notes;
  if (const auto& cmp = r.comparison) {
    j["comparison"] = {{"baseline", cmp->baseline},
                       {"baseline_model", cmp->baseline_model},
                       {"compared", cmp->compared},
                       {"compared_model", cmp->compared_model}};
  }
  j["cells"] = nlohmann::json::array();
  for (const auto& c : r.cells) {
    const BenchCell* torch = r.find("torch", c.threads, c.batch_size, c.padding);
    const BenchCell* fixed = r.find(c.backend, c.threads, c.batch_size, BenchPadding::kFixed);
    nlohmann::ordered_json cell = {
        {"backend", c.backend},
        {"threads", c.threads},
        {"batch_size", c.batch_size},
        {"padding", bench_padding_name(c.padding)},
        {"p50_ms", c.latency.p50 * 1e3},
        {"p90_ms", c.latency.p90 * 1e3},
        {"p99_ms", c.latency.p99 * 1e3},
        {"batches", c.latency.batches},
        {"sentences_per_second", c.sentences_per_second},
        {"forward_share", c.forward_share},
    };
    if (c.backend == "onnx" && torch != nullptr) cell["ort_over_torch"] = ratio(&c, torch);
    if (const double over = over_baseline(r, c); over > 0) cell["over_baseline"] = over;
    if (c.static_seq_len > 0) {
      cell["static_seq_len"] = c.static_seq_len;  // every padding mode pads to it: no ratio
    } else if (c.padding != BenchPadding::kFixed && fixed != nullptr) {
      cell["over_fixed"] = ratio(&c, fixed);
    }
    j["cells"].push_back(std::move(cell));
  }
  return j.dump(2) + "\n";
}

}  // namespace cola::predict

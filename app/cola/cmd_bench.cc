// `cola bench --model model.onnx --checkpoint DIR`: ONNX Runtime against LibTorch on the same
// weights and sentences, across batch sizes, padding modes and thread counts (predict/bench.h).
// Either alone benches one backend: a foreign .onnx (with --vocab/--labels) needs no LibTorch.
// --compare-model b.onnx times a second file in the same cells (an int8 model against the fp32
// --model it came from), as backend "onnx:<stem of b>", with its throughput over --model's.
// The data is --input, --synthetic N sentences, or the configured dev set.
#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <utility>

#include "app/cola/commands.h"
#include "app/cola/predictors.h"
#include "core/cpu.h"
#include "core/error.h"
#include "data/reader.h"
#include "predict/bench.h"
#include "predict/input.h"
#include "runtime/ort_info.h"

namespace cola::app {
namespace fs = std::filesystem;
namespace {

struct BenchFlags {
  ModelFlags model;
  fs::path onnx, compare, checkpoint;
  std::string input;
  int64_t synthetic = 0, limit = 0;
  bool quick = false, json = false;
  predict::BenchOptions bench;
};

// Sentences of 3..40 words from a fixed word list: the length spread of CoLA and beyond.
std::vector<std::string> synthetic(int64_t n) {
  static const char* kWords[] = {"the", "boy", "saw", "a",    "dog",  "in",  "park", "quickly",
                                 "and", "she", "has", "read", "book", "was", "not",  "by"};
  std::vector<std::string> out;
  for (int64_t i = 0; i < n; ++i) {
    std::string s;
    for (int64_t w = 0; w < 3 + (i * 7) % 38; ++w) {
      s += (w ? " " : "") + std::string(kWords[(i + w * 5) % 16]);
    }
    out.push_back(s + ".");
  }
  return out;
}

std::vector<std::string> load_texts(const BenchFlags& f, const config::DataConfig& data) {
  if (f.synthetic > 0) return synthetic(f.synthetic);
  const std::string path = f.input.empty()
                               ? data::split_path(data, data.valid_file, "data.valid_file").string()
                               : f.input;
  std::ifstream in(path);
  if (!in) throw Error(path + ": cannot open");
  predict::SentenceReader reader(in, path, predict::InputFormat::kAuto, predict::OnBadLine::kFail);
  std::vector<std::string> texts;
  std::string s;
  int64_t line = 0;
  while ((f.limit == 0 || static_cast<int64_t>(texts.size()) < f.limit) && reader.next(s, line)) {
    texts.push_back(s);
  }
  return texts;
}

// Backend name -> what it opens, in the order the cells alternate; sets f.bench's backends and
// comparison to match. The compared file's name starts "onnx:" so that it never takes "onnx" or
// "torch", and the ort/torch column means what it means without it.
std::vector<std::pair<std::string, fs::path>> bench_models(BenchFlags& f) {
  std::vector<std::pair<std::string, fs::path>> models;
  if (!f.onnx.empty()) models.emplace_back("onnx", f.onnx);
  if (!f.compare.empty()) {
    if (f.onnx.empty()) {
      throw UsageError("--compare-model needs --model, the baseline it is timed against");
    }
    const std::string name = "onnx:" + f.compare.stem().string();
    models.emplace_back(name, f.compare);
    f.bench.comparison = {.baseline = "onnx",
                          .compared = name,
                          .baseline_model = f.onnx.string(),
                          .compared_model = f.compare.string()};
  }
  if (!f.checkpoint.empty()) models.emplace_back("torch", f.checkpoint);
  if (models.empty()) throw UsageError("give --model FILE.onnx and/or --checkpoint DIR");
  f.bench.backends.clear();
  for (const auto& m : models) f.bench.backends.push_back(m.first);
  return models;
}

void run(BenchFlags f, const CLI::App& cmd) {
  const auto cfg = resolve_model_flags(f.model, cmd);
  if (!cfg) return;  // --cfg printed the config
  const auto models = bench_models(f);
  if (f.quick) {  // a few seconds: a smoke test of every code path, not a measurement
    f.bench.batch_sizes = {1, 8};
    f.bench.threads = {1};
    f.bench.repetitions = 2;
    f.bench.warmup = 1;
    if (f.limit == 0 && f.synthetic == 0) f.limit = 32;
    if (f.synthetic > 32) f.synthetic = 32;
  }
  const auto texts = load_texts(f, cfg->data);
  const auto open = [&](const std::string& backend, int threads) {
    ModelFlags m = f.model;
    m.inference.threads = threads;
    const auto& [name, path] = *std::find_if(
        models.begin(), models.end(), [&](const auto& model) { return model.first == backend; });
    return open_predictor(path, name == "torch" ? "torch" : "onnx", m);
  };
  auto report = predict::run_bench(texts, open, f.bench);
  report.machine = {.cpu = cpu_info().model_name,
                    .cpu_flags = cpu_info().flags(),
                    .int8_kernel = runtime::int8_kernel().label()};
  fmt::print("{}", f.json ? predict::bench_json(report) : predict::bench_markdown(report));
}

}  // namespace

void setup_bench(CLI::App& cmd) {
  auto f = std::make_shared<BenchFlags>();
  cmd.add_option("--model", f->onnx,
                 "a .onnx (ONNX Runtime): cola's export, or another with --vocab/--labels");
  cmd.add_option("--compare-model", f->compare,
                 "a second .onnx timed against --model in the same cells (an int8 model against "
                 "its fp32 original: same tokenizer and labels), as backend onnx:<its stem>, with "
                 "its sentences/s over --model's; with --checkpoint all three alternate");
  cmd.add_option("--checkpoint", f->checkpoint,
                 "the checkpoint it came from (LibTorch): a directory, weights file, .ckpt or "
                 "Hub id");
  cmd.add_option("--input", f->input, "sentences (text, TSV, JSONL); default: the dev set");
  cmd.add_option("--synthetic", f->synthetic, "N synthetic sentences of 3..40 words instead");
  cmd.add_option("--limit", f->limit, "use at most N sentences of the input (0 = all)");
  cmd.add_option("--repetitions", f->bench.repetitions, "timed passes per cell")
      ->capture_default_str();
  cmd.add_option("--warmup", f->bench.warmup, "untimed passes per cell")->capture_default_str();
  cmd.add_option("--batch-sizes", f->bench.batch_sizes, "batch sizes")->capture_default_str();
  cmd.add_option("--thread-counts", f->bench.threads, "thread counts (0 = all cores)")
      ->capture_default_str();
  cmd.add_flag("--quick", f->quick, "batch 1 and 8, 1 thread, 32 sentences, 2 passes");
  cmd.add_flag("--json", f->json, "JSON instead of a markdown table");
  add_model_flags(cmd, f->model, /*single_run=*/false);
  cmd.callback([f, &cmd] { run(*f, cmd); });
}

}  // namespace cola::app

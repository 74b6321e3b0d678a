#include "app/cola/predictors.h"

#include <fmt/format.h>

#include <charconv>

#include "app/cola/torch_plugin.h"
#include "core/error.h"
#include "core/log.h"
#include "hub/repo_id.h"
#include "predict/labels.h"
#include "runtime/onnx_predictor.h"

namespace cola::app {
namespace fs = std::filesystem;
namespace {

runtime::SessionOptions session_options(const config::InferenceConfig& c) {
  return {
      .intra_op_threads = c.threads,
      .inter_op_threads = c.inter_op_threads,
      .optimization = runtime::parse_graph_optimization(c.graph_optimization),
      .execution_mode = runtime::parse_execution_mode(c.execution_mode),
      .allow_spinning = c.allow_spinning,
      .memory_arena = c.memory_arena,
      .profile_prefix = c.profile,
      .optimized_model = c.optimized_model,
  };
}

predict::PredictOptions predict_options(const config::InferenceConfig& c) {
  predict::PredictOptions o;
  o.batch_size = c.batch_size;
  o.max_length = c.max_length;
  return o;
}

}  // namespace

bool flag_given(const CLI::App& cmd, const char* name) {
  const CLI::Option* o = cmd.get_option_no_throw(name);
  return o != nullptr && o->count() > 0;
}

CLI::Validator at_least(int64_t min) {
  return CLI::Validator(
      [min](std::string& value) -> std::string {
        int64_t n = 0;
        const auto* end = value.data() + value.size();
        const auto [ptr, ec] = std::from_chars(value.data(), end, n);
        if (ec != std::errc() || ptr != end) return "expected an integer, got '" + value + "'";
        if (n < min) return fmt::format("must be at least {}, got {}", min, n);
        return {};
      },
      fmt::format(">= {}", min));
}

void add_model_flags(CLI::App& cmd, ModelFlags& f, bool single_run) {
  auto& i = f.inference;
  if (single_run) {
    cmd.add_option("--backend", i.backend,
                   "auto (a .onnx file: onnx; a directory: torch)|onnx|torch");
    cmd.add_option("--threads", i.threads, "intra-op threads (ONNX Runtime or LibTorch); 0 = all")
        ->check(at_least(0));
    cmd.add_option("--batch-size", i.batch_size, "sentences per forward pass")->check(at_least(1));
    cmd.add_flag("--allow-non-finite", f.allow_non_finite,
                 "load a checkpoint's NaN or infinite weights instead of refusing them");
  }
  cmd.add_option("--max-length", i.max_length,
                 "tokens kept per sentence incl. [CLS]/[SEP] (capped by the model)")
      ->check(at_least(2));
  cmd.add_option("--preset", f.preset,
                 "the config's inference preset: latency (1 thread, no spinning) or throughput "
                 "(all cores, batch 64)");
  cmd.add_option("--inter-threads", i.inter_op_threads, "ORT inter-op threads")->check(at_least(0));
  cmd.add_option("--graph-optimization", i.graph_optimization, "disabled|basic|extended|all");
  cmd.add_option("--execution-mode", i.execution_mode, "sequential|parallel");
  cmd.add_flag("--no-spinning", f.no_spinning, "session.intra_op.allow_spinning=0");
  cmd.add_flag("--no-arena", f.no_arena, "disable ORT's CPU memory arena");
  cmd.add_option("--profile", i.profile, "write an ORT profile <PREFIX>_<time>.json");
  cmd.add_option("--save-optimized", i.optimized_model, "save ORT's optimized graph here");
  cmd.add_option("--vocab", f.vocab, "vocab.txt, for an .onnx without cola's metadata");
  cmd.add_option("--labels", f.labels,
                 "labels (one a line, id2label JSON or a config.json), likewise, or for a "
                 "checkpoint whose config.json has none");
  cmd.add_option("--config", f.checkpoint_config,
                 "config.json (or a directory or Hub id holding it and vocab.txt) for a "
                 "checkpoint without its own; a Lightning .ckpt defaults to its model_name");
  cmd.add_flag("--cased", f.cased, "with --vocab: do not lowercase (a cased vocabulary)");
  add_config_args(cmd, f.config, OverrideStyle::kSetFlag);
  cmd.footer(
      "Unset flags take the config's inference.* values (configs/inference/default.yaml: batch "
      "32, 1 thread, spinning on); --preset and --set change those, a flag given beats them.");
}

std::optional<config::AppConfig> resolve_model_flags(ModelFlags& f, const CLI::App& cmd) {
  ConfigArgs args = f.config;
  if (!f.preset.empty()) args.overrides.insert(args.overrides.begin(), "inference=" + f.preset);
  auto cfg = load_config(args);
  if (!cfg) return std::nullopt;
  const auto given = [&](const char* name) { return flag_given(cmd, name); };
  auto& c = cfg->inference;
  const auto& flag = f.inference;
  if (given("--backend")) c.backend = flag.backend;
  if (given("--threads")) c.threads = flag.threads;
  if (given("--batch-size")) c.batch_size = flag.batch_size;
  if (given("--max-length")) c.max_length = flag.max_length;
  if (given("--inter-threads")) c.inter_op_threads = flag.inter_op_threads;
  if (given("--graph-optimization")) c.graph_optimization = flag.graph_optimization;
  if (given("--execution-mode")) c.execution_mode = flag.execution_mode;
  if (given("--profile")) c.profile = flag.profile;
  if (given("--save-optimized")) c.optimized_model = flag.optimized_model;
  if (f.no_spinning) c.allow_spinning = false;
  if (f.no_arena) c.memory_arena = false;
  f.inference = c;
  return cfg;
}

std::string backend_for(const fs::path& path, const std::string& backend) {
  if (backend != "auto" && backend != "onnx" && backend != "torch") {
    throw UsageError(fmt::format("unknown backend '{}' (valid: auto, onnx, torch)", backend));
  }
  if (backend != "auto") return backend;
  if (path.extension() == ".onnx") return "onnx";
  if (fs::is_directory(path) || hub::is_hub_reference(path.string())) return "torch";
  for (const char* ext : {".bin", ".ckpt", ".pt", ".pth", ".safetensors", ".json"}) {
    if (path.extension() == ext && fs::is_regular_file(path)) return "torch";
  }
  throw UsageError(
      fmt::format("{}: cannot tell the backend (a .onnx file runs on onnx; a checkpoint directory, "
                  "weights file, Lightning .ckpt or Hub id on torch); pass --backend",
                  path.string()));
}

std::unique_ptr<predict::Predictor> open_predictor(const fs::path& path, const std::string& backend,
                                                   const ModelFlags& f) {
  const auto& c = f.inference;
  if (backend == "torch") {
    model::TorchPredictorOptions o;
    o.predict = predict_options(c);
    o.threads = c.threads;
    o.config = f.checkpoint_config;
    o.allow_non_finite = f.allow_non_finite;
    if (!f.labels.empty()) o.labels = predict::read_labels_file(f.labels);
    return torch_plugin().open_predictor(path.string(), o);
  }
  return runtime::OnnxPredictor::open(path, onnx_options(f));
}

runtime::OnnxPredictorOptions onnx_options(const ModelFlags& f) {
  runtime::OnnxPredictorOptions o;
  o.session = session_options(f.inference);
  o.predict = predict_options(f.inference);
  o.vocab = f.vocab;
  o.labels = f.labels;
  o.lowercase = !f.cased;
  return o;
}

void note_fixed_shape(const fs::path& path, const predict::Predictor& predictor,
                      const ModelFlags& f) {
  for (const auto& note :
       predict::fixed_shape_notes(predictor.fixed_shape(), predict_options(f.inference))) {
    log::info("{}: {}", path.string(), note);
  }
}

}  // namespace cola::app

#include "app/cola/predictors.h"

#include <fmt/format.h>

#include "app/cola/torch_plugin.h"
#include "core/error.h"
#include "runtime/onnx_predictor.h"

namespace cola::app {
namespace fs = std::filesystem;

void add_model_flags(CLI::App& cmd, ModelFlags& f, bool single_run) {
  if (single_run) {  // `cola bench` sweeps these itself
    cmd.add_option("--backend", f.backend,
                   "auto (a .onnx file: onnx; a directory: torch)|onnx|torch")
        ->capture_default_str();
    cmd.add_option("--threads", f.threads, "intra-op threads (ONNX Runtime or LibTorch); 0 = all")
        ->capture_default_str();
    cmd.add_option("--batch-size", f.predict.batch_size, "sentences per forward pass")
        ->capture_default_str();
  }
  cmd.add_option("--max-length", f.predict.max_length,
                 "tokens kept per sentence incl. [CLS]/[SEP] (capped by the model)")
      ->capture_default_str();
  cmd.add_option("--preset", f.preset,
                 "ORT preset: latency (1 thread, no spinning) or throughput (all cores); "
                 "replaces --threads for ORT");
  cmd.add_option("--inter-threads", f.session.inter_op_threads, "ORT inter-op threads")
      ->capture_default_str();
  cmd.add_option("--graph-optimization", f.optimization, "disabled|basic|extended|all")
      ->capture_default_str();
  cmd.add_option("--execution-mode", f.execution_mode, "sequential|parallel")
      ->capture_default_str();
  cmd.add_flag("--no-spinning", f.no_spinning, "session.intra_op.allow_spinning=0");
  cmd.add_flag("--no-arena", f.no_arena, "disable ORT's CPU memory arena");
  cmd.add_option("--profile", f.session.profile_prefix,
                 "write an ORT profile <PREFIX>_<time>.json");
  cmd.add_option("--save-optimized", f.session.optimized_model, "save ORT's optimized graph here");
  cmd.add_option("--vocab", f.vocab, "vocab.txt, for an .onnx without cola's metadata");
  cmd.add_option("--labels", f.labels, "labels (one a line, or id2label JSON), likewise");
  cmd.add_flag("--cased", f.cased, "with --vocab: do not lowercase (a cased vocabulary)");
}

std::string backend_for(const fs::path& path, const std::string& backend) {
  if (backend != "auto" && backend != "onnx" && backend != "torch") {
    throw UsageError(fmt::format("unknown backend '{}' (valid: auto, onnx, torch)", backend));
  }
  if (backend != "auto") return backend;
  if (fs::is_directory(path)) return "torch";
  if (path.extension() == ".onnx") return "onnx";
  throw UsageError(fmt::format(
      "{}: cannot tell the backend (a .onnx file runs on onnx, a checkpoint directory on "
      "torch); pass --backend",
      path.string()));
}

std::unique_ptr<predict::Predictor> open_predictor(const fs::path& path, const std::string& backend,
                                                   const ModelFlags& f) {
  if (backend == "torch") {
    if (!fs::is_directory(path)) {
      throw Error(path.string() + ": not a checkpoint directory (the torch backend needs one)");
    }
    return torch_plugin().open_predictor(path, {.predict = f.predict, .threads = f.threads});
  }
  runtime::OnnxPredictorOptions o;
  o.session = f.preset.empty() ? f.session : runtime::session_preset(f.preset);
  if (f.preset.empty()) o.session.intra_op_threads = f.threads;
  o.session.inter_op_threads = f.session.inter_op_threads;
  o.session.profile_prefix = f.session.profile_prefix;
  o.session.optimized_model = f.session.optimized_model;
  o.session.optimization = runtime::parse_graph_optimization(f.optimization);
  o.session.execution_mode = runtime::parse_execution_mode(f.execution_mode);
  if (f.no_spinning) o.session.allow_spinning = false;
  if (f.no_arena) o.session.memory_arena = false;
  o.predict = f.predict;
  o.vocab = f.vocab;
  o.labels = f.labels;
  o.lowercase = !f.cased;
  return runtime::OnnxPredictor::open(path, o);
}

}  // namespace cola::app

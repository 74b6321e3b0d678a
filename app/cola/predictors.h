#pragma once
// Model flags shared by `cola predict` and `cola bench`, and opening a model by path: a .onnx file
// runs on ONNX Runtime (in this binary), a checkpoint directory on LibTorch (in the plugin).
#include <CLI/CLI.hpp>
#include <filesystem>
#include <memory>
#include <string>

#include "predict/predictor.h"
#include "runtime/ort_session.h"

namespace cola::app {

/// What the model flags set.
struct ModelFlags {
  std::string backend = "auto";  // auto|onnx|torch
  int threads = 1;               // intra-op threads of either backend; 0 = all cores
  predict::PredictOptions predict;
  runtime::SessionOptions session;
  std::string preset;  // latency|throughput: ORT session defaults before the flags
  std::string optimization = "all";
  std::string execution_mode = "sequential";
  bool no_spinning = false, no_arena = false;
  std::filesystem::path vocab, labels;  // for an .onnx without cola's metadata
  bool cased = false;
};

/// Declares --max-length, the ORT session flags and --vocab/--labels on `cmd`, and with
/// `single_run` also --backend, --threads and --batch-size.
void add_model_flags(CLI::App& cmd, ModelFlags& flags, bool single_run = true);

/// "onnx" or "torch" for `path` under --backend (auto: by path); UsageError when they conflict.
std::string backend_for(const std::filesystem::path& path, const std::string& backend);

/// Opens `path` with `backend` ("onnx" or "torch"); errors name the path.
std::unique_ptr<predict::Predictor> open_predictor(const std::filesystem::path& path,
                                                   const std::string& backend,
                                                   const ModelFlags& flags);

}  // namespace cola::app

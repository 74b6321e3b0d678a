#pragma once
// Model flags shared by `cola predict` and `cola bench`, and opening a model by path: a .onnx file
// runs on ONNX Runtime (in this binary), a checkpoint directory on LibTorch (in the plugin).
//
// The settings come from the config's `inference:` group (configs/inference/*.yaml), then from the
// flags actually given: `--preset latency` selects inference/latency.yaml, `--set KEY=VALUE`
// overrides a key, and `--threads 2` beats both.
#include <CLI/CLI.hpp>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "app/cola/config_args.h"
#include "config/schema.h"
#include "predict/predictor.h"
#include "runtime/onnx_predictor.h"

namespace cola::app {

/// What the model flags set.
struct ModelFlags {
  config::InferenceConfig inference;  // flags write here; resolve_model_flags() fills the rest
  std::string preset;                 // --preset NAME: the config option inference=NAME
  bool no_spinning = false, no_arena = false;
  std::filesystem::path vocab, labels;  // for an .onnx without cola's metadata; labels also name
                                        // a checkpoint's outputs when its config.json has none
  std::string checkpoint_config;        // --config: config.json for a checkpoint without one
  bool cased = false;
  bool allow_non_finite = false;  // a checkpoint's NaN/Inf weights load instead of failing
  ConfigArgs config;              // --set overrides, --config-dir, --config-name, --cfg
};

/// How open_predictor opens a .onnx file: the session and batching of flags.inference, and
/// --vocab, --labels and --cased.
runtime::OnnxPredictorOptions onnx_options(const ModelFlags& flags);

/// Whether the flag `name` ("--threads") was given on the command line: only those replace the
/// config's values.
bool flag_given(const CLI::App& cmd, const char* name);

/// A flag validator for integers of at least `min`, whose message says so ("--threads: must be at
/// least 0, got -3") rather than CLI11's range of doubles.
CLI::Validator at_least(int64_t min);

/// Declares --max-length, the ORT session flags, --preset, --vocab/--labels and the config flags
/// on `cmd`, and with `single_run` also --backend, --threads, --batch-size and --allow-non-finite
/// (`cola bench` sweeps the first three itself).
void add_model_flags(CLI::App& cmd, ModelFlags& flags, bool single_run = true);

/// Composes the config (--preset, then the --set overrides) and lays the flags given on `cmd` over
/// its `inference:`; the result replaces flags.inference. Returns the whole config, or nullopt when
/// --cfg printed it.
std::optional<config::AppConfig> resolve_model_flags(ModelFlags& flags, const CLI::App& cmd);

/// "onnx" or "torch" for `path` under --backend (auto: a .onnx file is onnx; a checkpoint
/// directory, a weights file, a Lightning .ckpt or a Hub id is torch); UsageError otherwise.
std::string backend_for(const std::filesystem::path& path, const std::string& backend);

/// Opens `path` with `backend` ("onnx" or "torch") and flags.inference; errors name the path.
std::unique_ptr<predict::Predictor> open_predictor(const std::filesystem::path& path,
                                                   const std::string& backend,
                                                   const ModelFlags& flags);

/// Logs (info, one line each) how the static axes of the model at `path` override the flags:
/// "<path>: the model takes exactly 128 tokens, so every sentence is padded (or cut) to 128".
void note_fixed_shape(const std::filesystem::path& path, const predict::Predictor& predictor,
                      const ModelFlags& flags);

}  // namespace cola::app

#pragma once
// predict::Predictor over LibTorch, from any checkpoint load_checkpoint takes (a directory, a
// weights file, a Lightning .ckpt, a Hub id). The header is free of LibTorch types so that the
// CLI, which reaches it through the torch plugin, and the ORT-only code can share
// predict::Predictor.
#include <memory>
#include <string>
#include <vector>

#include "predict/predictor.h"

namespace cola::model {

struct TorchPredictorOptions {
  predict::PredictOptions predict;  // batching; max_length is capped by the checkpoint's limits
  int threads = 1;                  // LibTorch intra-op threads (process-wide); 0 = all cores
  std::string config = {};          // --config for a checkpoint without its own config.json
  std::vector<std::string> labels = {};  // --labels: output names replacing the config's
  bool allow_non_finite = false;         // --allow-non-finite: load NaN/Inf weights as they are
};

/// Loads the checkpoint `reference` (errors prefixed "loading checkpoint <reference>") and its
/// tokenizer.
std::unique_ptr<predict::Predictor> open_torch_predictor(const std::string& reference,
                                                         const TorchPredictorOptions& options);

struct Checkpoint;  // model/checkpoint.h

/// A predictor over an already loaded checkpoint, sharing its model (no second load): the
/// exporter scores the model it exported. Switches the model to eval mode.
std::unique_ptr<predict::Predictor> torch_predictor(const Checkpoint& checkpoint,
                                                    const predict::PredictOptions& options);

}  // namespace cola::model

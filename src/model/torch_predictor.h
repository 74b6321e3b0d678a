#pragma once
// predict::Predictor over LibTorch, from a checkpoint directory (config.json, model.safetensors,
// vocab.txt, tokenizer_config.json). The header is free of LibTorch types so that the CLI, which
// reaches it through the torch plugin, and the ORT-only code can share predict::Predictor.
#include <filesystem>
#include <memory>

#include "predict/predictor.h"

namespace cola::model {

struct TorchPredictorOptions {
  predict::PredictOptions predict;  // batching; max_length is capped by the checkpoint's limits
  int threads = 1;                  // LibTorch intra-op threads (process-wide); 0 = all cores
};

/// Loads the checkpoint at `dir` (errors prefixed "loading checkpoint <dir>") and its tokenizer.
std::unique_ptr<predict::Predictor> open_torch_predictor(const std::filesystem::path& dir,
                                                         const TorchPredictorOptions& options);

}  // namespace cola::model

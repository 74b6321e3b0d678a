#pragma once
// The LibTorch half of the CLI lives in a plugin (libcola_torch.so) that is dlopen'ed on first
// use. Debian's LibTorch pulls in ~290 shared libraries and costs ~1.3 s at load; commands that
// never touch it (config, tokenize, data, predict on ONNX Runtime) must not pay that.
//
// The plugin and the binary share the cola_* shared libraries, so they share one logger and one
// interrupt flag, and exceptions cross the boundary as the same types.
#include "export/options.h"
#include "model/torch_predictor.h"
#include "train/trainer.h"

namespace cola::app {

/// Bumped whenever TorchPlugin or a type it passes changes layout.
inline constexpr int kTorchPluginAbi = 5;

/// The entry points the plugin provides.
struct TorchPlugin {
  int abi = 0;                                                        // kTorchPluginAbi
  train::TrainResult (*train)(const train::TrainRequest&) = nullptr;  // `cola train`
  exporter::ExportResult (*export_onnx)(const exporter::ExportRequest&) = nullptr;  // `cola export`
  std::unique_ptr<predict::Predictor> (*open_predictor)(
      const std::string&, const model::TorchPredictorOptions&) = nullptr;  // predict
};

/// Loads the plugin once ($COLA_TORCH_PLUGIN, else libcola_torch.so beside the executable) and
/// returns its entry points; throws Error saying what is missing.
const TorchPlugin& torch_plugin();

}  // namespace cola::app

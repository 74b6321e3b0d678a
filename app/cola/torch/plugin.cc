// The entry point of libcola_torch.so (see app/cola/torch_plugin.h).
#include "app/cola/torch_plugin.h"
#include "export/exporter.h"
#include "model/torch_predictor.h"
#include "train/trainer.h"

extern "C" __attribute__((visibility("default"))) const cola::app::TorchPlugin*
cola_torch_plugin() {
  static const cola::app::TorchPlugin plugin{cola::app::kTorchPluginAbi, &cola::train::train,
                                             &cola::exporter::export_checkpoint,
                                             &cola::model::open_torch_predictor};
  return &plugin;
}

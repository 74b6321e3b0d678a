#pragma once
// The validation tables `cola export` and `cola quantize` print (fp32 or int8 parity, and the
// labelled-data comparison of --validate-data), and the versioning files both write beside the
// model.
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "export/options.h"

namespace cola::app {

/// The parity table, as optimum-cli prints it; int8 rows add probabilities, agreement and cosine.
/// `reference` names what the file is compared with ("LibTorch fp32", "model.onnx").
void print_validation(const exporter::Validation& v, const std::string& reference);

/// <model>.manifest.json (and <model>.dvc with `dvc`), so `cola verify model.onnx` can check the
/// file later. `config` is the config.json of the weights; `metrics` go in as they are.
void write_versioning(const std::filesystem::path& model, const std::string& config,
                      const nlohmann::json& metrics, bool dvc);

}  // namespace cola::app

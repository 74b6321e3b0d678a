// `cola export --checkpoint DIR --output model.onnx`: one validated, self-contained ONNX file
// (see export/exporter.h). Runs in the LibTorch plugin, which holds the model and the checker.
#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "app/cola/commands.h"
#include "app/cola/torch_plugin.h"
#include "app/cola/validation_report.h"
#include "export/options.h"
#include "predict/labels.h"
#include "runtime/ort_info.h"

namespace cola::app {
namespace {

// The manifest's metrics: the opset, the graph's size, the worst parity and, for int8, the
// agreement figures and the settings.
nlohmann::json export_metrics(const exporter::ExportRequest& request,
                              const exporter::ExportResult& result) {
  nlohmann::json m = {{"opset", request.options.opset}, {"nodes", result.nodes}};
  const auto& v = result.validation;
  double worst = 0, worst_prob = 0;
  for (const auto& row : v.parity) {
    worst = std::max(worst, row.max_abs_diff);
    worst_prob = std::max(worst_prob, row.max_prob_diff);
  }
  if (v.ran) m["parity_max_abs_diff"] = worst;
  if (!result.quantization.empty()) {
    m["quantization"] = nlohmann::json::parse(result.quantization);
    if (v.ran) m["parity_max_prob_diff"] = worst_prob;
  }
  if (v.has_data) {
    m["data_agreement"] = v.data.logits.agreement();
    m["data_mcc_fp32"] = v.data.reference.mcc;
    m["data_mcc_int8"] = v.data.candidate.mcc;
  }
  return m;
}

}  // namespace

void setup_export(CLI::App& cmd) {
  auto request = std::make_shared<exporter::ExportRequest>();
  auto no_validate = std::make_shared<bool>(false);
  auto dvc = std::make_shared<bool>(false);
  auto labels = std::make_shared<std::filesystem::path>();
  cmd.add_option("--checkpoint", request->checkpoint,
                 "a checkpoint: a Hugging Face directory (model.safetensors, pytorch_model.bin, "
                 "sharded), a weights file, a Lightning .ckpt, or a Hub id org/name[@revision]")
      ->required();
  cmd.add_option("--config", request->config,
                 "config.json, or a directory (or Hub id) with config.json and vocab.txt, for a "
                 "checkpoint without its own (a Lightning .ckpt: default its model_name)");
  cmd.add_option("--labels", *labels,
                 "label names (one a line, or id2label JSON) when config.json has none");
  cmd.add_option("--output", request->output, "the .onnx file to write")->required();
  cmd.add_option("--opset", request->options.opset,
                 "ONNX opset: 14, or 17 for the LayerNormalization op")
      ->capture_default_str();
  cmd.add_flag("--no-validate", *no_validate,
               "skip the checker, shape inference and the LibTorch/ONNX Runtime parity check");
  cmd.add_flag("--with-probabilities", request->options.with_probabilities,
               "add a 'probabilities' output (softmax of the logits)");
  cmd.add_flag("--token-type-ids", request->options.token_type_ids,
               "add a token_type_ids input (otherwise every token has type 0)");
  cmd.add_flag("--dvc", *dvc, "also write a DVC 3 <output>.dvc file (dvc push-able)");
  cmd.add_flag("--allow-non-finite", request->allow_non_finite,
               "load NaN or infinite weights instead of refusing them (validation still fails "
               "on non-finite logits)");
  cmd.add_option("--quantize", request->options.quantize,
                 "int8: dynamic int8 Linears (per-channel int8 weights, uint8 activations), the "
                 "pattern ONNX Runtime fuses into DynamicQuantizeMatMul");
  auto full = std::make_shared<bool>(false);
  auto* full_flag = cmd.add_flag("--full-range", *full,
                                 "int8: 8-bit weights, for CPUs with AVX-512 VNNI (can saturate "
                                 "on AVX2)");
  auto reduce = std::make_shared<bool>(false);  // the default; the flag says so explicitly
  cmd.add_flag("--reduce-range", *reduce, "int8: 7-bit weights, exact on AVX2 too (the default)")
      ->excludes(full_flag);
  cmd.add_flag("--quantize-embeddings", request->options.quantize_embeddings,
               "int8: also the word-embedding table, one scale per row (the file shrinks ~4x)");
  cmd.add_option("--validate-data", request->options.validate_data,
                 "int8: labelled sentences (TSV or JSONL) to score fp32 and int8 on; the export "
                 "fails if they agree on fewer than 99%")
      ->check(CLI::ExistingFile);
  cmd.callback([request, no_validate, dvc, labels, full, reduce] {
    // A usage error is reported before the LibTorch plugin loads (~1 s).
    exporter::check_opset(request->options.opset);
    exporter::check_quantize(request->options.quantize);
    request->options.reduce_range = !*full;
    if (*full && !request->options.quantize.empty()) {
      runtime::warn_full_range_once("cola export --quantize int8 --full-range");
    }
    if (!labels->empty()) request->labels = predict::read_labels_file(*labels);
    request->options.validate = !*no_validate;
    request->on_validated = [](const exporter::Validation& v) {
      print_validation(v, "LibTorch fp32");
    };
    const auto result = torch_plugin().export_onnx(*request);
    fmt::print("wrote {} ({:.1f} MB, {} nodes, opset {}) in {:.2f} s{}\n", result.output.string(),
               static_cast<double>(result.bytes) / 1e6, result.nodes, request->options.opset,
               result.export_seconds,
               result.validation.ran
                   ? fmt::format(", validated in {:.2f} s", result.validate_seconds)
                   : ", not validated");
    fmt::print("sha256: {}\n", result.sha256);
    if (!result.quantization.empty()) fmt::print("quantization: {}\n", result.quantization);
    write_versioning(result.output, result.config_json, export_metrics(*request, result), *dvc);
  });
}

}  // namespace cola::app

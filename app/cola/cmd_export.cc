// `cola export --checkpoint DIR --output model.onnx`: one validated, self-contained ONNX file
// (see export/exporter.h). Runs in the LibTorch plugin, which holds the model and the checker.
#include <fmt/format.h>

#include <algorithm>

#include "app/cola/commands.h"
#include "app/cola/torch_plugin.h"
#include "export/options.h"
#include "predict/labels.h"
#include "track/dvc.h"
#include "track/manifest.h"

namespace cola::app {
namespace {

// The parity table, as optimum-cli prints it, but a failed row fails the command.
void print_validation(const exporter::Validation& v) {
  fmt::print("validation: onnx checker passed; shape inference: logits {}\n",
             v.inferred_logits_shape);
  // Written out rather than padded by fmt, which counts the bytes of the UTF-8 delta.
  fmt::print("  shape          max |Δ|   tolerance   argmax  result\n");
  for (const auto& r : v.parity) {
    const std::string result = r.passed() ? "pass" : "FAIL";
    fmt::print("  {:<10}{:>12.2e}{:>12.0e}{:>9}  {}\n", fmt::format("{}x{}", r.batch, r.sequence),
               r.max_abs_diff, r.tolerance, r.argmax_equal ? "same" : "differs",
               r.note.empty() ? result : fmt::format("{:<6}{}", result, r.note));
  }
}

// <model>.manifest.json (and <model>.dvc with --dvc), as `cola train` writes for checkpoints, so
// `cola verify model.onnx` can check the file later. The "config" is the checkpoint's config.json.
void write_versioning(const exporter::ExportRequest& request, const exporter::ExportResult& result,
                      bool dvc) {
  track::ManifestInfo info;
  info.config_yaml = result.config_json;
  double worst = 0;
  for (const auto& row : result.validation.parity) worst = std::max(worst, row.max_abs_diff);
  info.metrics = {{"opset", request.options.opset}, {"nodes", result.nodes}};
  if (result.validation.ran) info.metrics["parity_max_abs_diff"] = worst;
  info.code_version = track::git_describe(COLA_SOURCE_DIR);
  fmt::print("manifest: {}\n", track::write_manifest(result.output, info).string());
  if (dvc) fmt::print("dvc: {}\n", track::write_dvc_file(result.output).string());
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
  cmd.callback([request, no_validate, dvc, labels] {
    // A usage error is reported before the LibTorch plugin loads (~1 s).
    exporter::check_opset(request->options.opset);
    if (!labels->empty()) request->labels = predict::read_labels_file(*labels);
    request->options.validate = !*no_validate;
    request->on_validated = print_validation;
    const auto result = torch_plugin().export_onnx(*request);
    fmt::print("wrote {} ({:.1f} MB, {} nodes, opset {}) in {:.2f} s{}\n", result.output.string(),
               static_cast<double>(result.bytes) / 1e6, result.nodes, request->options.opset,
               result.export_seconds,
               result.validation.ran
                   ? fmt::format(", validated in {:.2f} s", result.validate_seconds)
                   : ", not validated");
    fmt::print("sha256: {}\n", result.sha256);
    write_versioning(*request, result, *dvc);
  });
}

}  // namespace cola::app

#include "export/exporter.h"

#include <fmt/format.h>
#include <torch/utils.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "core/digest.h"
#include "core/error.h"
#include "core/file.h"
#include "export/bert_graph.h"
#include "export/metadata.h"
#include "export/validate.h"
#include "graph/io.h"
#include "model/checkpoint.h"
#include "model/torch_predictor.h"
#include "spec/names.h"
#include "validate/quantized.h"

namespace cola::exporter {
namespace fs = std::filesystem;
namespace {

using core::seconds_since;

// config.json settings that BertConfig ignores but that would change the computation: refuse
// them rather than export a graph that silently computes something else.
void check_expressible(const fs::path& path, const ExportOptions& options) {
  const auto json = nlohmann::json::parse(read_file(path), nullptr, false);
  if (!json.is_object()) return;  // load_checkpoint already reported it
  const auto position_type = json.value("position_embedding_type", std::string("absolute"));
  if (position_type != "absolute") {
    throw Error(
        fmt::format("{}: position_embedding_type '{}' cannot be exported (only "
                    "'absolute' is supported)",
                    path.string(), position_type));
  }
  const auto problem = json.value("problem_type", std::string("single_label_classification"));
  if (options.with_probabilities && problem != "single_label_classification") {
    throw UsageError(
        fmt::format("--with-probabilities adds a softmax, which does not fit {}'s "
                    "problem_type '{}'",
                    path.string(), problem));
  }
}

// The checker and shape inference, then parity with LibTorch; an int8 file is validated as
// `cola quantize` validates one, with the loaded checkpoint (predicting as `cola predict` does) as
// its fp32 reference.
Validation validate(const onnx::ModelProto& proto, const std::string& bytes,
                    model::Checkpoint& checkpoint, const GraphRequest& request,
                    const ExportOptions& options) {
  auto& model = *checkpoint.model;
  const auto cases = parity_cases(model.config().max_position_embeddings);
  if (!options.quantize.empty()) {
    const validate::Fp32Reference reference{
        .parity =
            [&](const std::string& int8) {
              return check_parity(model, int8, request, cases,
                                  /*quantized=*/true);
            },
        .open_predictor = [&]() -> std::unique_ptr<predict::Predictor> {
          return model::torch_predictor(checkpoint, {});
        }};
    return validate::validate_quantized(proto, bytes, model.config().num_labels(), reference,
                                        options.validate_data);
  }
  Validation v;
  v.ran = true;
  v.inferred_logits_shape =
      check_graph(proto, std::string(spec::names::kLogits), model.config().num_labels());
  v.parity = check_parity(model, bytes, request, cases);
  return v;
}

// --quantize int8: the pass over the fp32 graph, and its settings in the metadata.
std::string quantize(onnx::ModelProto& proto, const ExportOptions& options) {
  return validate::quantize(proto, {.reduce_range = options.reduce_range,
                                    .embeddings = options.quantize_embeddings})
      .json;
}

void check_quantize_options(const ExportOptions& options) {
  check_quantize(options.quantize);
  if (options.quantize.empty() &&
      (options.quantize_embeddings || !options.reduce_range || !options.validate_data.empty())) {
    throw UsageError(
        "--quantize-embeddings, --full-range and --validate-data need --quantize int8");
  }
  if (!options.validate && !options.validate_data.empty()) {
    throw UsageError("--validate-data cannot be combined with --no-validate");
  }
}

}  // namespace

ExportResult export_checkpoint(const ExportRequest& request) {
  const auto& options = request.options;
  check_opset(options.opset);
  check_quantize_options(options);
  const auto start = std::chrono::steady_clock::now();
  if (fs::is_directory(request.output)) {
    throw Error(request.output.string() + ": is a directory; --output names the .onnx file");
  }
  // Opened first, so that an unwritable output fails before any work; its temp file is removed
  // unless committed.
  AtomicFileWriter out(request.output);
  model::LoadOptions load;
  load.source.config = request.config;
  load.source.labels = request.labels;
  load.allow_non_finite = request.allow_non_finite;
  auto checkpoint = model::load_checkpoint(request.checkpoint, load);
  check_expressible(checkpoint.source.config_path, options);
  auto& model = *checkpoint.model;
  model.eval();
  torch::NoGradGuard no_grad;

  GraphRequest graph{{options.opset, spec::GraphStyle::kCola},
                     options.token_type_ids,
                     options.with_probabilities,
                     {}};
  ModelInfo info;
  info.producer_version = COLA_VERSION;
  info.metadata = with_context("exporting " + request.checkpoint, [&] {
    return checkpoint_metadata(checkpoint.source, checkpoint.config);
  });
  onnx::ModelProto proto = build_model(model, graph, std::move(info));
  ExportResult result;
  if (!options.quantize.empty()) {
    result.quantization =
        with_context("quantizing " + request.checkpoint, [&] { return quantize(proto, options); });
  }
  const std::string bytes =
      with_context("exporting " + request.checkpoint, [&] { return serialize(proto); });

  result.nodes = proto.graph().node_size();
  result.initializers = proto.graph().initializer_size();
  result.export_seconds = seconds_since(start);
  if (options.validate) {
    const auto validate_start = std::chrono::steady_clock::now();
    result.validation = with_context("validating the export of " + request.checkpoint, [&] {
      return validate(proto, bytes, checkpoint, graph, options);
    });
    result.validate_seconds = seconds_since(validate_start);
    if (request.on_validated) request.on_validated(result.validation);
    if (!options.quantize.empty()) {
      validate::require_passed(result.validation, request.output.string());
    } else if (!result.validation.passed()) {
      throw Error(fmt::format(
          "validation failed: ONNX Runtime's outputs differ from LibTorch's beyond {}; {} was not "
          "written",
          kParityTolerance, request.output.string()));
    }
  }
  out.write(bytes);
  out.commit();
  result.output = request.output;
  result.config_json = checkpoint.config.to_json();
  result.bytes = static_cast<int64_t>(bytes.size());
  result.sha256 = sha256_hex(bytes);
  return result;
}

}  // namespace cola::exporter

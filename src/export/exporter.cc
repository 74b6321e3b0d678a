#include "export/exporter.h"

#include <fmt/format.h>
#include <torch/utils.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "core/digest.h"
#include "core/error.h"
#include "core/file.h"
#include "data/reader.h"
#include "export/bert_graph.h"
#include "export/metadata.h"
#include "export/validate.h"
#include "graph/io.h"
#include "graph/quantize.h"
#include "model/checkpoint.h"
#include "model/torch_predictor.h"
#include "runtime/onnx_predictor.h"
#include "spec/names.h"

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

// fp32 LibTorch (the loaded checkpoint, predicting as `cola predict` does) against the int8 bytes
// on the labelled sentences of --validate-data.
predict::DataComparison compare_on_file(const ExportRequest& request,
                                        const model::Checkpoint& checkpoint,
                                        const std::string& bytes) {
  const auto fp32 = model::torch_predictor(checkpoint, {});
  const auto data = data::read_labelled(request.options.validate_data, fp32->labels());
  const auto int8 = runtime::OnnxPredictor::from_bytes(bytes, "the quantized model", {});
  auto result = predict::compare_on_data(*fp32, *int8, data.sentences, data.labels);
  result.data = request.options.validate_data.string();
  return result;
}

Validation validate(const onnx::ModelProto& proto, const std::string& bytes,
                    model::Checkpoint& checkpoint, const GraphRequest& request,
                    const ExportRequest& export_request) {
  auto& model = *checkpoint.model;
  Validation v;
  v.ran = true;
  v.inferred_logits_shape =
      check_graph(proto, std::string(spec::names::kLogits), model.config().num_labels());
  const bool quantized = !export_request.options.quantize.empty();
  v.parity = check_parity(model, bytes, request,
                          parity_cases(model.config().max_position_embeddings), quantized);
  if (quantized && !export_request.options.validate_data.empty()) {
    v.has_data = true;
    v.data = compare_on_file(export_request, checkpoint, bytes);
  }
  return v;
}

// --quantize int8: the pass over the fp32 graph, and its settings in the metadata.
std::string quantize(onnx::ModelProto& proto, const ExportOptions& options) {
  graph::QuantizeOptions q;
  q.reduce_range = options.reduce_range;
  q.embeddings = options.quantize_embeddings;
  const auto summary = graph::quantize_model(proto, q);
  std::string json = graph::quantization_json(q, summary);
  graph::set_metadata(proto, graph::kMetaQuantization, json);
  return json;
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
      return validate(proto, bytes, checkpoint, graph, request);
    });
    result.validate_seconds = seconds_since(validate_start);
    if (request.on_validated) request.on_validated(result.validation);
    if (!result.validation.data_passed()) {
      throw Error(result.validation.data_failure(request.output.string()));
    }
    if (!result.validation.passed()) {
      throw Error(fmt::format(
          "validation failed: ONNX Runtime's outputs differ from LibTorch's "
          "beyond {}; {} was not written",
          options.quantize.empty() ? fmt::format("{}", kParityTolerance)
                                   : fmt::format("a logits cosine of {}", kQuantizedMinCosine),
          request.output.string()));
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

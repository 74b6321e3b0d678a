#include "export/exporter.h"

#include <fmt/format.h>
#include <torch/utils.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/file.h"
#include "core/sha256.h"
#include "export/bert_graph.h"
#include "export/metadata.h"
#include "export/validate.h"
#include "model/checkpoint.h"
#include "model/names.h"

namespace cola::exporter {
namespace fs = std::filesystem;
namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

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

Validation validate(const onnx::ModelProto& proto, const std::string& bytes,
                    model::BertForSequenceClassificationImpl& model, const GraphRequest& request) {
  Validation v;
  v.ran = true;
  v.inferred_logits_shape =
      check_graph(proto, std::string(model::names::kLogits), model.config().num_labels());
  v.parity =
      check_parity(model, bytes, request, parity_cases(model.config().max_position_embeddings));
  return v;
}

}  // namespace

ExportResult export_checkpoint(const ExportRequest& request) {
  const auto& options = request.options;
  check_opset(options.opset);
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
  auto checkpoint = model::load_checkpoint(request.checkpoint, load);
  check_expressible(checkpoint.source.config_path, options);
  auto& model = *checkpoint.model;
  model.eval();
  torch::NoGradGuard no_grad;

  GraphRequest graph{{options.opset, model::GraphStyle::kCola},
                     options.token_type_ids,
                     options.with_probabilities,
                     {}};
  ModelInfo info;
  info.producer_version = COLA_VERSION;
  info.metadata = with_context("exporting " + request.checkpoint, [&] {
    return checkpoint_metadata(checkpoint.source, checkpoint.config);
  });
  const onnx::ModelProto proto = build_model(model, graph, std::move(info));
  const std::string bytes =
      with_context("exporting " + request.checkpoint, [&] { return serialize(proto); });

  ExportResult result;
  result.nodes = proto.graph().node_size();
  result.initializers = proto.graph().initializer_size();
  result.export_seconds = seconds_since(start);
  if (options.validate) {
    const auto validate_start = std::chrono::steady_clock::now();
    result.validation = with_context("validating the export of " + request.checkpoint,
                                     [&] { return validate(proto, bytes, model, graph); });
    result.validate_seconds = seconds_since(validate_start);
    if (request.on_validated) request.on_validated(result.validation);
    if (!result.validation.passed()) {
      throw Error(
          fmt::format("validation failed: ONNX Runtime's outputs differ from LibTorch's "
                      "beyond {}; {} was not written",
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

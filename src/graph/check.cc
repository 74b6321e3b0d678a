#include "graph/check.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <onnx/checker.h>
#include <onnx/shape_inference/implementation.h>

#include <vector>

#include "core/error.h"

namespace cola::graph {
namespace {

std::string shape_text(const onnx::TypeProto& type) {
  if (!type.tensor_type().has_shape()) return "unknown";
  std::vector<std::string> dims;
  for (const auto& d : type.tensor_type().shape().dim()) {
    dims.push_back(d.has_dim_value() ? std::to_string(d.dim_value())
                                     : (d.has_dim_param() ? d.dim_param() : "?"));
  }
  return fmt::format("[{}]", fmt::join(dims, ", "));
}

void check_domains(const onnx::ModelProto& model) {
  for (const auto& node : model.graph().node()) {
    if (!node.domain().empty() && node.domain() != "ai.onnx") {
      throw Error(fmt::format("node '{}' is {}::{}, outside the default ONNX domain", node.name(),
                              node.domain(), node.op_type()));
    }
  }
}

}  // namespace

std::string check_graph(const onnx::ModelProto& model, const std::string& output,
                        int64_t num_labels) {
  try {
    onnx::checker::check_model(model);
    check_domains(model);
    // Infer on a copy whose outputs declare no shape, so the shape below is what inference
    // derived, not what we declared.
    onnx::ModelProto copy = model;
    for (auto& out : *copy.mutable_graph()->mutable_output()) {
      out.mutable_type()->mutable_tensor_type()->clear_shape();
    }
    const onnx::ShapeInferenceOptions strict(/*check_type=*/true, /*error_mode=*/1,
                                             /*data_prop=*/true);
    onnx::shape_inference::InferShapes(copy, onnx::OpSchemaRegistry::Instance(), strict);
    for (const auto& out : copy.graph().output()) {
      if (out.name() != output) continue;
      std::string inferred = shape_text(out.type());
      const std::string expected = fmt::format("[batch, {}]", num_labels);
      if (inferred != expected) {
        throw Error(fmt::format("shape inference gives '{}' the shape {}, expected {}", output,
                                inferred, expected));
      }
      return inferred;
    }
    throw Error("the graph has no output '" + output + "'");
  } catch (const onnx::checker::ValidationError& e) {
    throw Error(std::string("ONNX checker: ") + e.what());
  } catch (const onnx::InferenceError& e) {
    throw Error(std::string("ONNX shape inference: ") + e.what());
  }
}

}  // namespace cola::graph

#pragma once
// The static half of validating an ONNX file before it is written: onnx::checker, default-domain
// operators only, and strict shape inference.
#include <onnx/onnx_pb.h>

#include <cstdint>
#include <string>

namespace cola::graph {

/// Runs onnx::checker::check_model, requires every node to be in the default domain (so any ONNX
/// runtime runs the file), then strict shape inference (type checks, node errors fatal, data
/// propagation). Returns the inferred shape of `output` ("[batch, 2]") and throws Error unless it
/// is [batch, num_labels] with a symbolic batch.
std::string check_graph(const onnx::ModelProto& model, const std::string& output,
                        int64_t num_labels);

}  // namespace cola::graph

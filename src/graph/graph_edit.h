#pragma once
// Small helpers for rewriting a GraphProto in place: initializer lookup and data, use counts,
// and node/tensor construction (the onnx.helper functions a pass needs).
#include <onnx/onnx_pb.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace cola::graph {

/// The initializer called `name`, or nullptr.
const onnx::TensorProto* find_initializer(const onnx::GraphProto& graph, const std::string& name);

/// The dims of `t`.
std::vector<int64_t> dims_of(const onnx::TensorProto& t);

/// The values of a FLOAT tensor (raw_data or float_data); Error naming it otherwise.
std::vector<float> float_values(const onnx::TensorProto& t);

/// How many node inputs and graph outputs read each value.
std::map<std::string, int> use_counts(const onnx::GraphProto& graph);

/// A tensor of `data_type` (onnx::TensorProto::DataType) with raw little-endian `bytes`.
onnx::TensorProto make_tensor(const std::string& name, int32_t data_type,
                              const std::vector<int64_t>& dims, const void* bytes, size_t size);

/// A default-domain node named after its first output.
onnx::NodeProto make_node(const std::string& op_type, const std::vector<std::string>& inputs,
                          const std::vector<std::string>& outputs);

/// Adds an INT attribute.
void add_int_attribute(onnx::NodeProto& node, const std::string& name, int64_t value);

/// Removes the initializers whose names are in `names`.
void remove_initializers(onnx::GraphProto& graph, const std::vector<std::string>& names);

}  // namespace cola::graph

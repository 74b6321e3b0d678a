#include "graph/graph_edit.h"

#include <algorithm>
#include <cstring>
#include <set>

#include "core/error.h"

namespace cola::graph {

const onnx::TensorProto* find_initializer(const onnx::GraphProto& graph, const std::string& name) {
  for (const auto& t : graph.initializer()) {
    if (t.name() == name) return &t;
  }
  return nullptr;
}

std::vector<int64_t> dims_of(const onnx::TensorProto& t) {
  return {t.dims().begin(), t.dims().end()};
}

std::vector<float> float_values(const onnx::TensorProto& t) {
  if (t.data_type() != onnx::TensorProto::FLOAT) {
    throw Error("initializer '" + t.name() + "' is not float");
  }
  if (t.has_data_location() && t.data_location() == onnx::TensorProto::EXTERNAL) {
    throw Error("initializer '" + t.name() + "' is stored in an external file, not supported");
  }
  int64_t count = 1;
  for (const int64_t d : t.dims()) count *= d;
  std::vector<float> values(static_cast<size_t>(count));
  if (t.has_raw_data()) {
    if (t.raw_data().size() != values.size() * sizeof(float)) {
      throw Error("initializer '" + t.name() + "' has " + std::to_string(t.raw_data().size()) +
                  " bytes of data for " + std::to_string(count) + " floats");
    }
    std::memcpy(values.data(), t.raw_data().data(), t.raw_data().size());
  } else {
    if (t.float_data_size() != count) {
      throw Error("initializer '" + t.name() + "' has " + std::to_string(t.float_data_size()) +
                  " values for " + std::to_string(count) + " elements");
    }
    std::copy(t.float_data().begin(), t.float_data().end(), values.begin());
  }
  return values;
}

std::map<std::string, int> use_counts(const onnx::GraphProto& graph) {
  std::map<std::string, int> uses;
  for (const auto& node : graph.node()) {
    for (const auto& in : node.input()) {
      if (!in.empty()) ++uses[in];
    }
  }
  for (const auto& out : graph.output()) ++uses[out.name()];
  return uses;
}

onnx::TensorProto make_tensor(const std::string& name, int32_t data_type,
                              const std::vector<int64_t>& dims, const void* bytes, size_t size) {
  onnx::TensorProto t;
  t.set_name(name);
  t.set_data_type(data_type);
  for (const int64_t d : dims) t.add_dims(d);
  // raw_data is little-endian by the ONNX spec, as is every machine cola targets.
  t.mutable_raw_data()->assign(static_cast<const char*>(bytes), size);
  return t;
}

onnx::NodeProto make_node(const std::string& op_type, const std::vector<std::string>& inputs,
                          const std::vector<std::string>& outputs) {
  onnx::NodeProto node;
  node.set_op_type(op_type);
  node.set_name(outputs.front());
  for (const auto& in : inputs) node.add_input(in);
  for (const auto& out : outputs) node.add_output(out);
  return node;
}

void add_int_attribute(onnx::NodeProto& node, const std::string& name, int64_t value) {
  auto* a = node.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(value);
}

void remove_initializers(onnx::GraphProto& graph, const std::vector<std::string>& names) {
  const std::set<std::string> gone(names.begin(), names.end());
  auto* inits = graph.mutable_initializer();
  inits->erase(std::remove_if(inits->begin(), inits->end(),
                              [&](const onnx::TensorProto& t) { return gone.contains(t.name()); }),
               inits->end());
}

}  // namespace cola::graph

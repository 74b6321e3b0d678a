#include "export/onnx_builder.h"

#include <fmt/format.h>

#include <cstring>

#include "core/error.h"

namespace cola::exporter {
namespace {

using spec::Value;

void set_type(onnx::ValueInfoProto& info, spec::ElemType type, const std::vector<spec::Dim>& dims) {
  auto* tensor = info.mutable_type()->mutable_tensor_type();
  tensor->set_elem_type(static_cast<int32_t>(type));
  if (dims.empty()) return;  // shape not declared (e.g. per-layer debug outputs)
  auto* shape = tensor->mutable_shape();
  for (const auto& dim : dims) {
    auto* d = shape->add_dim();
    if (const auto* size = std::get_if<int64_t>(&dim)) {
      d->set_dim_value(*size);
    } else {
      d->set_dim_param(std::get<std::string>(dim));
    }
  }
}

void set_attribute(onnx::AttributeProto& a, const spec::Attr& attr) {
  a.set_name(attr.name);
  if (const auto* i = std::get_if<int64_t>(&attr.value)) {
    a.set_type(onnx::AttributeProto::INT);
    a.set_i(*i);
  } else if (const auto* f = std::get_if<float>(&attr.value)) {
    a.set_type(onnx::AttributeProto::FLOAT);
    a.set_f(*f);
  } else if (const auto* ints = std::get_if<std::vector<int64_t>>(&attr.value)) {
    a.set_type(onnx::AttributeProto::INTS);
    for (const int64_t v : *ints) a.add_ints(v);
  } else {
    // ConstantOfShape's `value`: a one-element 1-d tensor that also sets the output's type.
    a.set_type(onnx::AttributeProto::TENSOR);
    auto* t = a.mutable_t();
    t->set_data_type(onnx::TensorProto::INT64);
    t->add_dims(1);
    t->add_int64_data(std::get<spec::Int64Scalar>(attr.value).value);
  }
}

}  // namespace

Value OnnxGraphBuilder::input(const std::string& name, spec::ElemType type,
                              const std::vector<spec::Dim>& dims) {
  claim_name(name);
  auto* info = graph_.add_input();
  info->set_name(name);
  set_type(*info, type, dims);
  return Value(name);
}

void OnnxGraphBuilder::output(const Value& value, spec::ElemType type,
                              const std::vector<spec::Dim>& dims) {
  auto* info = graph_.add_output();
  info->set_name(value.name());
  set_type(*info, type, dims);
}

Value OnnxGraphBuilder::initializer(const std::string& name, std::span<const float> data,
                                    const std::vector<int64_t>& shape) {
  return add_initializer(name, onnx::TensorProto::FLOAT, data.data(), data.size_bytes(), shape);
}

Value OnnxGraphBuilder::initializer(const std::string& name, std::span<const int64_t> data,
                                    const std::vector<int64_t>& shape) {
  return add_initializer(name, onnx::TensorProto::INT64, data.data(), data.size_bytes(), shape);
}

Value OnnxGraphBuilder::add_initializer(const std::string& name, int32_t data_type,
                                        const void* data, size_t bytes,
                                        const std::vector<int64_t>& shape) {
  claim_name(name);
  auto* t = graph_.add_initializer();
  t->set_name(name);
  t->set_data_type(data_type);
  for (const int64_t d : shape) t->add_dims(d);
  // raw_data is little-endian by the ONNX spec, as is every machine cola targets (x86-64, arm64).
  t->mutable_raw_data()->assign(static_cast<const char*>(data), bytes);
  return Value(name);
}

Value OnnxGraphBuilder::node(const std::string& op_type, const std::vector<Value>& inputs,
                             const std::vector<spec::Attr>& attrs, const std::string& output) {
  const std::string name = output.empty() ? fresh_name(op_type) : output;
  claim_name(name);
  auto* n = graph_.add_node();
  n->set_op_type(op_type);
  n->set_name(name);  // the node is named after its one output: Netron shows that name
  for (const auto& in : inputs) n->add_input(in.name());
  n->add_output(name);
  for (const auto& attr : attrs) set_attribute(*n->add_attribute(), attr);
  return Value(name);
}

onnx::ModelProto OnnxGraphBuilder::finish(ModelInfo info) {
  onnx::ModelProto model;
  model.set_ir_version(onnx::IR_VERSION);
  model.set_producer_name("cola");
  model.set_producer_version(info.producer_version);
  auto* opset = model.add_opset_import();
  opset->set_domain("");  // the default domain only: the graph runs on any ONNX runtime
  opset->set_version(options_.opset);
  graph_.set_name(info.graph_name);
  graph_.set_doc_string(info.doc_string);
  *model.mutable_graph() = std::move(graph_);
  graph_ = onnx::GraphProto();
  for (auto& [key, value] : info.metadata) {
    auto* prop = model.add_metadata_props();
    prop->set_key(key);
    prop->set_value(std::move(value));
  }
  return model;
}

}  // namespace cola::exporter

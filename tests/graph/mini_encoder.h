#pragma once
// A cola export's encoder in miniature, built with libonnx and no LibTorch, for the tests of the
// int8 pass (tests/graph) and of its validation (tests/validate).
#include <onnx/onnx_pb.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "graph/graph_edit.h"

namespace cola::graph::mini {

inline constexpr int64_t kVocab = 50, kHidden = 32, kLabels = 2;
inline constexpr char kLayer[] = "bert.encoder.layer.0.attention.self.";

inline void add_float(onnx::GraphProto& g, const std::string& name,
                      const std::vector<int64_t>& dims, std::mt19937& rng, float stddev) {
  int64_t n = 1;
  for (const int64_t d : dims) n *= d;
  std::normal_distribution<float> normal(0.0F, stddev);
  std::vector<float> values(static_cast<size_t>(n));
  for (auto& v : values) v = normal(rng);
  *g.add_initializer() = make_tensor(name, onnx::TensorProto::FLOAT, dims, values.data(),
                                     values.size() * sizeof(float));
}

inline void add_value_info(onnx::ValueInfoProto* info, const std::string& name, int32_t type,
                           const std::vector<std::string>& dims) {
  info->set_name(name);
  auto* tensor = info->mutable_type()->mutable_tensor_type();
  tensor->set_elem_type(type);
  for (const auto& d : dims) {
    auto* dim = tensor->mutable_shape()->add_dim();
    if (d.front() >= '0' && d.front() <= '9') {
      dim->set_dim_value(std::stoll(d));
    } else {
      dim->set_dim_param(d);
    }
  }
}

// A Linear as cola's exporter writes one: MatMul by "<module>.weight" ([in, out]), then Add of
// "<module>.bias".
inline void add_linear(onnx::GraphProto& g, const std::string& module, const std::string& x,
                       const std::string& y, int64_t in, int64_t out, std::mt19937& rng) {
  add_float(g, module + ".weight", {in, out}, rng, 0.1F);
  add_float(g, module + ".bias", {out}, rng, 0.1F);
  *g.add_node() = make_node("MatMul", {x, module + ".weight"}, {module + ".matmul"});
  *g.add_node() = make_node("Add", {module + ".matmul", module + ".bias"}, {y});
}

/// The miniature encoder: input_ids (and an attention_mask it ignores, as the runtime feeds one)
/// -> word embeddings -> query/key/value -> their sum -> mean over the sequence -> classifier.
inline onnx::ModelProto mini_encoder(int64_t opset = 14) {
  std::mt19937 rng(7);
  onnx::ModelProto m;
  m.set_ir_version(8);
  m.set_producer_name("cola");
  m.add_opset_import()->set_version(opset);
  auto& g = *m.mutable_graph();
  g.set_name("mini");
  add_value_info(g.add_input(), "input_ids", onnx::TensorProto::INT64, {"batch", "sequence"});
  add_value_info(g.add_input(), "attention_mask", onnx::TensorProto::INT64, {"batch", "sequence"});
  add_float(g, "bert.embeddings.word_embeddings.weight", {kVocab, kHidden}, rng, 1.0F);
  *g.add_node() =
      make_node("Gather", {"bert.embeddings.word_embeddings.weight", "input_ids"}, {"hidden"});
  std::vector<std::string> heads;
  for (const char* name : {"query", "key", "value"}) {
    add_linear(g, kLayer + std::string(name), "hidden", name, kHidden, kHidden, rng);
    heads.emplace_back(name);
  }
  *g.add_node() = make_node("Sum", heads, {"sum"});
  auto mean = make_node("ReduceMean", {"sum"}, {"pooled"});
  auto* axes = mean.add_attribute();
  axes->set_name("axes");
  axes->set_type(onnx::AttributeProto::INTS);
  axes->add_ints(1);
  add_int_attribute(mean, "keepdims", 0);
  *g.add_node() = mean;
  add_linear(g, "classifier", "pooled", "logits", kHidden, kLabels, rng);
  add_value_info(g.add_output(), "logits", onnx::TensorProto::FLOAT,
                 {"batch", std::to_string(kLabels)});
  return m;
}

}  // namespace cola::graph::mini

#include "graph/quantize.h"

#include <fmt/format.h>

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "core/error.h"
#include "graph/graph_edit.h"
#include "graph/io.h"
#include "graph/quantize_weights.h"

namespace cola::graph {
namespace {

constexpr std::string_view kWeightSuffix = ".weight";
constexpr std::string_view kWordEmbeddings = "word_embeddings.weight";

// "bert.encoder.layer.0.attention.self.query.weight" -> "...query": the prefix of every name the
// pattern adds, so that the Hugging Face naming contract holds for the int8 tensors too.
std::string module_of(const std::string& weight) {
  return weight.substr(0, weight.size() - kWeightSuffix.size());
}

const onnx::TensorProto* float_initializer(const onnx::GraphProto& g, const std::string& name,
                                           int rank) {
  const auto* t = find_initializer(g, name);
  if (t == nullptr || t->data_type() != onnx::TensorProto::FLOAT || t->dims_size() != rank) {
    return nullptr;
  }
  return t;
}

int64_t int_attribute(const onnx::NodeProto& node, const std::string& name, int64_t fallback) {
  for (const auto& a : node.attribute()) {
    if (a.name() == name) return a.i();
  }
  return fallback;
}

float float_attribute(const onnx::NodeProto& node, const std::string& name, float fallback) {
  for (const auto& a : node.attribute()) {
    if (a.name() == name) return a.f();
  }
  return fallback;
}

// One Linear found in the graph: y = x @ W + bias, W a [K, N] initializer.
struct Linear {
  int node = 0;  // the MatMul or Gemm
  int add = -1;  // the bias Add after a MatMul; -1 for a Gemm (bias inside)
  std::string x, weight, bias;
  std::string output;  // what the pattern's last Add must be called (the Linear's output)
  int64_t k = 0, n = 0;
};

class LinearFinder {
 public:
  explicit LinearFinder(const onnx::GraphProto& g) : g_(g), uses_(use_counts(g)) {
    for (int i = 0; i < g.node_size(); ++i) {
      for (const auto& in : g.node(i).input()) readers_[in].push_back(i);
    }
  }

  std::optional<Linear> match(int i) const {
    const auto& node = g_.node(i);
    if (node.op_type() == "MatMul" && node.input_size() == 2) return matmul(i, node);
    if (node.op_type() == "Gemm" && node.input_size() == 3) return gemm(i, node);
    return std::nullopt;
  }

 private:
  int uses(const std::string& name) const {
    const auto u = uses_.find(name);
    return u == uses_.end() ? 0 : u->second;
  }

  // W: a [K, N] float initializer named "<module>.weight", read by this node alone.
  bool weight(const std::string& name, Linear& l) const {
    const auto* w = float_initializer(g_, name, 2);
    if (w == nullptr || !name.ends_with(kWeightSuffix) || uses(name) != 1) return false;
    l.weight = name;
    l.k = w->dims(0);
    l.n = w->dims(1);
    return true;
  }

  bool bias(const std::string& name, Linear& l) const {
    const auto* b = float_initializer(g_, name, 1);
    if (b == nullptr || b->dims(0) != l.n) return false;
    l.bias = name;
    return true;
  }

  std::optional<Linear> matmul(int i, const onnx::NodeProto& node) const {
    Linear l;
    l.node = i;
    l.x = node.input(0);
    if (!weight(node.input(1), l)) return std::nullopt;
    const auto& y = node.output(0);
    const auto r = readers_.find(y);
    if (uses(y) != 1 || r == readers_.end()) return std::nullopt;
    const auto& add = g_.node(r->second.front());
    if (add.op_type() != "Add" || add.input_size() != 2) return std::nullopt;
    // The bias may be either input; the pattern puts it second, where the fusion looks.
    const std::string& other = add.input(0) == y ? add.input(1) : add.input(0);
    if (!bias(other, l)) return std::nullopt;
    l.add = r->second.front();
    l.output = add.output(0);
    return l;
  }

  std::optional<Linear> gemm(int i, const onnx::NodeProto& node) const {
    if (int_attribute(node, "transA", 0) != 0 || int_attribute(node, "transB", 0) != 0 ||
        float_attribute(node, "alpha", 1.0F) != 1.0F ||
        float_attribute(node, "beta", 1.0F) != 1.0F) {
      return std::nullopt;
    }
    Linear l;
    l.node = i;
    l.x = node.input(0);
    if (!weight(node.input(1), l) || !bias(node.input(2), l)) return std::nullopt;
    l.output = node.output(0);
    return l;
  }

  const onnx::GraphProto& g_;
  std::map<std::string, int> uses_;
  std::map<std::string, std::vector<int>> readers_;
};

// The int8 weight, scales and zero points of `l`, under its module's names.
void add_weights(const Linear& l, const onnx::GraphProto& g, const QuantizeOptions& options,
                 std::vector<onnx::TensorProto>& tensors) {
  const std::string m = module_of(l.weight);
  const auto q = quantize_columns(float_values(*find_initializer(g, l.weight)), l.k, l.n,
                                  quantized_max(options.reduce_range));
  const std::vector<int8_t> zeros(static_cast<size_t>(l.n), 0);
  tensors.push_back(make_tensor(m + ".weight_quantized", onnx::TensorProto::INT8, {l.k, l.n},
                                q.values.data(), q.values.size()));
  tensors.push_back(make_tensor(m + ".weight_scale", onnx::TensorProto::FLOAT, {l.n},
                                q.scales.data(), q.scales.size() * sizeof(float)));
  tensors.push_back(make_tensor(m + ".weight_zero_point", onnx::TensorProto::INT8, {l.n},
                                zeros.data(), zeros.size()));
}

// "bert.encoder.layer.0.attention.self/query_key_value" for the query, key and value Linears.
std::string group_name(const std::vector<const Linear*>& group) {
  std::string first = module_of(group.front()->weight);
  if (group.size() == 1) return first;
  const std::string parent = first.substr(0, first.rfind('.'));
  std::string leaves;
  for (const auto* l : group) {
    const std::string m = module_of(l->weight);
    leaves += (leaves.empty() ? "" : "_") + m.substr(m.rfind('.') + 1);
  }
  return parent + "/" + leaves;
}

// The nodes and initializers that replace Linears reading the same input (see quantize.h for the
// pattern). ORT's common-subexpression elimination would merge their DynamicQuantizeLinears into
// one with several consumers, which the last fusion refuses; so several Linears on one input
// (query, key and value) become one MatMulInteger on their weights side by side, split after the
// bias. Each weight stays its own initializer under its own name, joined by a Concat that ORT
// folds at load, so the file keeps the Hugging Face names and the session gets one
// DynamicQuantizeMatMul of N = 3 x hidden.
void emit_linears(const std::vector<const Linear*>& group, const onnx::GraphProto& g,
                  const QuantizeOptions& options, std::vector<onnx::NodeProto>& nodes,
                  std::vector<onnx::TensorProto>& tensors) {
  for (const auto* l : group) add_weights(*l, g, options, tensors);
  const std::string p = group_name(group);
  std::string wq;  // the names MatMulInteger, the scale Mul and the Add read
  std::string ws;
  std::string wzp;
  std::string bias;
  if (group.size() == 1) {
    const std::string m = module_of(group.front()->weight);
    wq = m + ".weight_quantized";
    ws = m + ".weight_scale";
    wzp = m + ".weight_zero_point";
    bias = group.front()->bias;
  } else {
    const auto concat = [&](const std::string& suffix, int64_t axis) {
      std::vector<std::string> parts;
      parts.reserve(group.size());
      for (const auto* l : group) {
        parts.push_back(suffix == ".bias" ? l->bias : module_of(l->weight) + suffix);
      }
      nodes.push_back(make_node("Concat", parts, {p + "/" + suffix.substr(1)}));
      add_int_attribute(nodes.back(), "axis", axis);
      return nodes.back().output(0);
    };
    wq = concat(".weight_quantized", 1);
    ws = concat(".weight_scale", 0);
    wzp = concat(".weight_zero_point", 0);
    bias = concat(".bias", 0);
  }
  const std::string x = group.front()->x;
  const std::string xq = p + "/input_quantized";
  const std::string xs = p + "/input_scale";
  const std::string xzp = p + "/input_zero_point";
  nodes.push_back(make_node("DynamicQuantizeLinear", {x}, {xq, xs, xzp}));
  nodes.push_back(make_node("MatMulInteger", {xq, wq, xzp, wzp}, {p + "/MatMulInteger"}));
  nodes.push_back(make_node("Cast", {p + "/MatMulInteger"}, {p + "/Cast"}));
  add_int_attribute(nodes.back(), "to", onnx::TensorProto::FLOAT);
  nodes.push_back(make_node("Mul", {xs, ws}, {p + "/scale"}));  // activation scale first
  nodes.push_back(make_node("Mul", {p + "/Cast", p + "/scale"}, {p + "/Mul"}));
  if (group.size() == 1) {
    nodes.push_back(make_node("Add", {p + "/Mul", bias}, {group.front()->output}));
    return;
  }
  nodes.push_back(make_node("Add", {p + "/Mul", bias}, {p + "/Add"}));
  std::vector<int64_t> sizes;
  std::vector<std::string> outputs;
  for (const auto* l : group) {
    sizes.push_back(l->n);
    outputs.push_back(l->output);
  }
  tensors.push_back(make_tensor(p + "/split", onnx::TensorProto::INT64,
                                {static_cast<int64_t>(sizes.size())}, sizes.data(),
                                sizes.size() * sizeof(int64_t)));
  nodes.push_back(make_node("Split", {p + "/Add", p + "/split"}, outputs));
  nodes.back().set_name(p + "/Split");
  add_int_attribute(nodes.back(), "axis", -1);
}

// Gather(table, ids) -> Gather the int8 rows and their scales, then DequantizeLinear per row.
// The rows are gathered before they are dequantized: ORT does not constant-fold DequantizeLinear
// (it keeps QDQ pairs for its QDQ fusions), so DequantizeLinear(table) -> Gather would expand the
// whole table at every run. DequantizeLinear's per-axis scale must be 1-d, hence the flattening.
bool emit_embeddings(const onnx::NodeProto& gather, const onnx::GraphProto& g,
                     std::vector<onnx::NodeProto>& nodes, std::vector<onnx::TensorProto>& tensors) {
  const auto* table = float_initializer(g, gather.input(0), 2);
  if (table == nullptr || int_attribute(gather, "axis", 0) != 0) return false;
  const std::string m = module_of(gather.input(0));
  const int64_t rows = table->dims(0);
  const int64_t hidden = table->dims(1);
  const auto q = quantize_rows(float_values(*table), rows, hidden, quantized_max(false));
  const std::string tq = m + ".weight_quantized";
  const std::string ts = m + ".weight_scale";
  tensors.push_back(
      make_tensor(tq, onnx::TensorProto::INT8, {rows, hidden}, q.values.data(), q.values.size()));
  tensors.push_back(make_tensor(ts, onnx::TensorProto::FLOAT, {rows}, q.scales.data(),
                                q.scales.size() * sizeof(float)));
  const int64_t flat = -1;
  tensors.push_back(make_tensor(m + "/flat_shape", onnx::TensorProto::INT64, {1}, &flat, 8));
  tensors.push_back(make_tensor(m + "/hidden_size", onnx::TensorProto::INT64, {1}, &hidden, 8));

  const std::string& ids = gather.input(1);
  nodes.push_back(make_node("Reshape", {ids, m + "/flat_shape"}, {m + "/ids"}));
  nodes.push_back(make_node("Gather", {tq, m + "/ids"}, {m + "/Gather"}));
  nodes.push_back(make_node("Gather", {ts, m + "/ids"}, {m + "/row_scale"}));
  nodes.push_back(
      make_node("DequantizeLinear", {m + "/Gather", m + "/row_scale"}, {m + "/DequantizeLinear"}));
  add_int_attribute(nodes.back(), "axis", 0);
  nodes.push_back(make_node("Shape", {ids}, {m + "/ids_shape"}));
  nodes.push_back(
      make_node("Concat", {m + "/ids_shape", m + "/hidden_size"}, {m + "/output_shape"}));
  add_int_attribute(nodes.back(), "axis", 0);
  nodes.push_back(
      make_node("Reshape", {m + "/DequantizeLinear", m + "/output_shape"}, {gather.output(0)}));
  return true;
}

bool is_word_embedding_gather(const onnx::NodeProto& node, const std::map<std::string, int>& uses) {
  return node.op_type() == "Gather" && node.input_size() == 2 &&
         node.input(0).ends_with(kWordEmbeddings) && uses.find(node.input(0))->second == 1;
}

void check_quantizable(const onnx::ModelProto& model) {
  if (!metadata_value(model, kMetaQuantization).empty()) {
    throw Error("the model is already quantized (its metadata has '" +
                std::string(kMetaQuantization) + "')");
  }
  for (const auto& node : model.graph().node()) {
    if (node.op_type() == "MatMulInteger" || node.op_type() == "DynamicQuantizeLinear" ||
        node.op_type() == "DequantizeLinear") {
      throw Error("the model is already quantized (it has " + node.op_type() + " nodes)");
    }
  }
  for (const auto& opset : model.opset_import()) {
    if ((opset.domain().empty() || opset.domain() == "ai.onnx") && opset.version() < 13) {
      throw Error(
          fmt::format("opset {} is too old to quantize: per-axis DequantizeLinear needs 13; "
                      "export with --opset 14",
                      opset.version()));
    }
  }
}

}  // namespace

QuantizeSummary quantize_model(onnx::ModelProto& model, const QuantizeOptions& options) {
  check_quantizable(model);
  auto& g = *model.mutable_graph();
  const auto uses = use_counts(g);
  const LinearFinder finder(g);
  std::map<int, Linear> linears;
  std::set<int> bias_adds;
  QuantizeSummary summary;
  for (int i = 0; i < g.node_size(); ++i) {
    auto l = finder.match(i);
    if (!l) continue;
    if (l->n < kMinQuantizedChannels) {
      summary.kept.push_back(module_of(l->weight));
      continue;
    }
    summary.linears.push_back(module_of(l->weight));
    if (l->add >= 0) bias_adds.insert(l->add);
    linears.emplace(i, std::move(*l));
  }
  if (linears.empty()) {
    throw Error(
        "no Linear to quantize: expected MatMul + Add or Gemm nodes on '<module>.weight' "
        "initializers, as `cola export` writes them");
  }

  // Linears on the same input, in graph order, keyed by the first one's node.
  std::map<int, std::vector<const Linear*>> groups;
  std::map<std::string, int> group_of_input;
  for (const auto& [i, l] : linears) {
    groups[group_of_input.emplace(l.x, i).first->second].push_back(&l);
  }

  // Rebuilt in order: each pattern takes its first MatMul's place, which every reader of those
  // Linears' outputs follows, so the node list stays topologically sorted.
  std::vector<onnx::NodeProto> nodes;
  std::vector<onnx::TensorProto> tensors;
  std::vector<std::string> replaced;
  for (int i = 0; i < g.node_size(); ++i) {
    const auto& node = g.node(i);
    if (bias_adds.contains(i)) continue;
    if (const auto group = groups.find(i); group != groups.end()) {
      emit_linears(group->second, g, options, nodes, tensors);
      for (const auto* l : group->second) replaced.push_back(l->weight);
    } else if (linears.contains(i)) {
      continue;  // emitted with its group
    } else if (options.embeddings && summary.embeddings.empty() &&
               is_word_embedding_gather(node, uses) && emit_embeddings(node, g, nodes, tensors)) {
      summary.embeddings = module_of(node.input(0));
      replaced.push_back(node.input(0));
    } else {
      nodes.push_back(node);
    }
  }
  if (options.embeddings && summary.embeddings.empty()) {
    throw Error("--quantize-embeddings: no Gather on a '*.word_embeddings.weight' table found");
  }
  g.clear_node();
  for (auto& n : nodes) *g.add_node() = std::move(n);
  g.set_doc_string(g.doc_string() +
                   " Dynamic int8: each quantized Linear's weight is '<module>.weight_quantized' "
                   "(int8 [in, out]) with '<module>.weight_scale' per output channel; the "
                   "metadata's 'quantization' entry has the settings.");
  remove_initializers(g, replaced);
  for (auto& t : tensors) *g.add_initializer() = std::move(t);
  return summary;
}

std::string quantization_json(const QuantizeOptions& options, const QuantizeSummary& summary) {
  nlohmann::ordered_json j;
  j["method"] = "dynamic";
  j["weights"] = "int8, symmetric, one scale per output channel";
  j["activations"] = "uint8, asymmetric, one scale per tensor, computed at run time";
  j["reduce_range"] = options.reduce_range;
  j["weight_max"] = quantized_max(options.reduce_range);
  j["embeddings"] = summary.embeddings.empty()
                        ? nlohmann::ordered_json(false)
                        : nlohmann::ordered_json(summary.embeddings + ": int8, one scale per row");
  j["quantized_linears"] = summary.linears.size();
  j["fp32_linears"] = summary.kept;
  return j.dump();
}

}  // namespace cola::graph

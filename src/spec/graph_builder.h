#pragma once
// The interface through which layers describe their computation as an ONNX graph, next to their
// forward() (DESIGN.md practice 2). No protobuf and no LibTorch here: export/onnx_builder.h
// implements it over libonnx, and model/graph_ops.h adds the layer-level pieces (linear,
// LayerNorm, GELU) on top of it. In the spirit of onnx.helper: values are names, nodes are
// (op_type, inputs, attributes), and only default-domain operators exist.
#include <cstdint>
#include <map>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace cola::spec {

/// A value in the graph (a graph input, an initializer or a node output), known by its name.
class Value {
 public:
  Value() = default;
  explicit Value(std::string name) : name_(std::move(name)) {}
  const std::string& name() const { return name_; }
  /// False for a default-constructed Value: "no such input" (e.g. no token_type_ids).
  bool defined() const { return !name_.empty(); }

 private:
  std::string name_;
};

/// ONNX TensorProto element types used by cola (the same numbers as onnx.proto's DataType).
enum class ElemType : int { kFloat = 1, kInt64 = 7 };

/// A dimension of a graph input or output: a fixed size or a symbolic name ("batch").
using Dim = std::variant<int64_t, std::string>;

/// A one-element int64 tensor attribute (ConstantOfShape's `value`).
struct Int64Scalar {
  int64_t value = 0;
};

/// A node attribute: int, float, ints or an int64 scalar tensor.
struct Attr {
  std::string name;
  std::variant<int64_t, float, std::vector<int64_t>, Int64Scalar> value;
};

/// Which graph to write. Both compute the same function; they differ in how.
enum class GraphStyle {
  kCola,         // ours: constant shapes, [CLS]-only last layer, folded token-type row
  kTorchExport,  // what torch.onnx.export (opset 14) writes for HF BERT: for benchmarks only
};

struct GraphOptions {
  int64_t opset = 14;                    // default-domain opset; 17 adds LayerNormalization
  GraphStyle style = GraphStyle::kCola;  // see GraphStyle
};

/// Builds one graph. Node outputs are named "<scope>/<op>" (made unique) unless a name is given;
/// scopes are the Hugging Face module paths ("bert.encoder.layer.0.attention.self").
class GraphBuilder {
 public:
  virtual ~GraphBuilder() = default;

  virtual const GraphOptions& options() const = 0;

  /// A graph input of `type` with `dims`.
  virtual Value input(const std::string& name, ElemType type, const std::vector<Dim>& dims) = 0;
  /// Declares `value` a graph output (under its own name: name the node that makes it).
  virtual void output(const Value& value, ElemType type, const std::vector<Dim>& dims) = 0;

  /// A float initializer (row-major `data`, copied) under `name`.
  virtual Value initializer(const std::string& name, std::span<const float> data,
                            const std::vector<int64_t>& shape) = 0;
  /// An int64 initializer.
  virtual Value initializer(const std::string& name, std::span<const int64_t> data,
                            const std::vector<int64_t>& shape) = 0;

  /// A node `op_type` with one output, named `output` if given, else "<scope>/<op_type>".
  virtual Value node(const std::string& op_type, const std::vector<Value>& inputs,
                     const std::vector<Attr>& attrs = {}, const std::string& output = {}) = 0;

  /// A shared int64 constant (reshape shapes, axes, indices); the same values give one
  /// initializer. An empty `shape` makes a scalar.
  Value constant(const std::vector<int64_t>& values, const std::vector<int64_t>& shape);
  /// A shared float scalar constant (1.0, the attention scale, LayerNorm's epsilon...).
  Value constant(float value);

  /// The full name of `leaf` in the current scope ("bert.embeddings" + "LayerNorm.weight").
  std::string scoped(std::string_view leaf) const;

  /// Enters a module scope for its lifetime: `GraphBuilder::Scope s(b, names::kAttention);`.
  class Scope {
   public:
    Scope(GraphBuilder& builder, std::string_view segment);
    ~Scope();
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    GraphBuilder& builder_;
    size_t previous_size_;
  };

 protected:
  /// "<scope>/<op>", unique within the graph.
  std::string fresh_name(std::string_view op_type);
  /// Registers `name` as used; throws Error if it already is (two layers claimed one name).
  void claim_name(const std::string& name);

 private:
  std::string scope_;
  std::set<std::string> used_names_;
  std::map<std::string, Value> constants_;  // by a key of their type and values
};

}  // namespace cola::spec

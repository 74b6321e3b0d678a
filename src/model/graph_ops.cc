#include "model/graph_ops.h"

#include <numbers>

namespace cola::model::graph {
namespace {

bool torch_style(const spec::GraphBuilder& b) {
  return b.options().style == spec::GraphStyle::kTorchExport;
}

spec::Value float_initializer(spec::GraphBuilder& b, const std::string& name,
                              const torch::Tensor& tensor) {
  const auto t = tensor.detach().to(torch::kCPU, torch::kFloat).contiguous();
  return b.initializer(name, std::span<const float>(t.data_ptr<float>(), t.numel()),
                       std::vector<int64_t>(t.sizes().begin(), t.sizes().end()));
}

// torch.onnx.export turns `x.view(x.size(0), x.size(1), ...)` into Shape -> Gather -> Unsqueeze
// per dynamic dim and a Concat with the constant ones; reproduced for the torch-style graph.
spec::Value dynamic_shape(spec::GraphBuilder& b, const spec::Value& x,
                          const std::vector<int64_t>& tail) {
  const spec::Value shape = b.node("Shape", {x});
  std::vector<spec::Value> parts;
  for (const int64_t axis : {0, 1}) {
    const spec::Value dim =
        b.node("Gather", {shape, b.constant({axis}, {})}, {{"axis", int64_t{0}}});
    parts.push_back(b.node("Unsqueeze", {dim, b.constant({0}, {1})}));
  }
  for (const int64_t d : tail) parts.push_back(b.constant({d}, {1}));
  return b.node("Concat", parts, {{"axis", int64_t{0}}});
}

}  // namespace

spec::Value parameter(spec::GraphBuilder& b, std::string_view leaf, const torch::Tensor& tensor) {
  return float_initializer(b, b.scoped(leaf), tensor);
}

spec::Value linear(spec::GraphBuilder& b, const torch::nn::LinearImpl& linear,
                   std::string_view segment, const spec::Value& x, int64_t rank,
                   const std::string& output) {
  spec::GraphBuilder::Scope scope(b, segment);
  const std::string weight_name = b.scoped("weight");
  const spec::Value bias = parameter(b, "bias", linear.bias);
  if (rank == 2 && torch_style(b)) {
    // torch exports a 2-d nn.Linear as Gemm on the untransposed weight.
    return b.node("Gemm", {x, float_initializer(b, weight_name, linear.weight), bias},
                  {{"transB", int64_t{1}}}, output);
  }
  // Stored as W^T ([in, out]): MatMul and Gemm then read it without a transpose at run time.
  const spec::Value weight_t = float_initializer(b, weight_name, linear.weight.t());
  if (rank == 2) return b.node("Gemm", {x, weight_t, bias}, {}, output);
  return b.node("Add", {b.node("MatMul", {x, weight_t}), bias}, {}, output);
}

spec::Value layer_norm(spec::GraphBuilder& b, const torch::nn::LayerNormImpl& norm,
                       std::string_view segment, const spec::Value& x, const std::string& output) {
  spec::GraphBuilder::Scope scope(b, segment);
  const spec::Value gamma = parameter(b, "weight", norm.weight);
  const spec::Value beta = parameter(b, "bias", norm.bias);
  const auto eps = static_cast<float>(norm.options.eps());
  if (b.options().opset >= 17) {
    return b.node("LayerNormalization", {x, gamma, beta}, {{"axis", int64_t{-1}}, {"epsilon", eps}},
                  output);
  }
  const std::vector<spec::Attr> last_axis = {{"axes", std::vector<int64_t>{-1}}};
  const spec::Value centered = b.node("Sub", {x, b.node("ReduceMean", {x}, last_axis)});
  const spec::Value variance =
      b.node("ReduceMean", {b.node("Pow", {centered, b.constant(2.0F)})}, last_axis);
  const spec::Value stddev = b.node("Sqrt", {b.node("Add", {variance, b.constant(eps)})});
  const spec::Value normalized = b.node("Div", {centered, stddev});
  return b.node("Add", {b.node("Mul", {normalized, gamma}), beta}, {}, output);
}

spec::Value gelu(spec::GraphBuilder& b, const spec::Value& x, const std::string& output) {
  const spec::Value erf =
      b.node("Erf", {b.node("Div", {x, b.constant(static_cast<float>(std::numbers::sqrt2))})});
  const spec::Value scaled = b.node("Mul", {x, b.node("Add", {erf, b.constant(1.0F)})});
  return b.node("Mul", {scaled, b.constant(0.5F)}, {}, output);
}

spec::Value split_heads(spec::GraphBuilder& b, const spec::Value& x, int64_t heads,
                        int64_t head_size, bool keys_transposed) {
  // Reshape's 0 copies the input's dimension, so one constant shape serves every batch and
  // sequence length (ONNX Reshape-14, allowzero = 0).
  const spec::Value shape = torch_style(b) ? dynamic_shape(b, x, {heads, head_size})
                                           : b.constant({0, 0, heads, head_size}, {4});
  const spec::Value split = b.node("Reshape", {x, shape});
  const std::vector<int64_t> perm =
      keys_transposed ? std::vector<int64_t>{0, 2, 3, 1} : std::vector<int64_t>{0, 2, 1, 3};
  return b.node("Transpose", {split}, {{"perm", perm}});
}

spec::Value merge_heads(spec::GraphBuilder& b, const spec::Value& x, int64_t hidden,
                        const std::string& output) {
  const spec::Value merged = b.node("Transpose", {x}, {{"perm", std::vector<int64_t>{0, 2, 1, 3}}});
  const spec::Value shape =
      torch_style(b) ? dynamic_shape(b, merged, {hidden}) : b.constant({0, 0, hidden}, {3});
  return b.node("Reshape", {merged, shape}, {}, output);
}

spec::Value first_token(spec::GraphBuilder& b, const spec::Value& x, const std::string& output) {
  return b.node("Gather", {x, b.constant({0}, {1})}, {{"axis", int64_t{1}}}, output);
}

}  // namespace cola::model::graph

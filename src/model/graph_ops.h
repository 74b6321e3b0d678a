#pragma once
// The ONNX pieces the layers' to_onnx() share: parameters as initializers, Linear, LayerNorm,
// GELU and the head split/merge of attention. Each writes the standard-op pattern that ONNX
// Runtime's online optimizer fuses (LayerNormalization, Gelu, bias adds), and each follows
// GraphOptions::style: GraphStyle::kTorchExport reproduces what torch.onnx.export emits instead.
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>
#include <torch/types.h>

#include <string>
#include <string_view>

#include "spec/graph_builder.h"

namespace cola::model::graph {

/// `tensor` (any float dtype, any device) as a float initializer named scoped(leaf).
spec::Value parameter(spec::GraphBuilder& b, std::string_view leaf, const torch::Tensor& tensor);

/// x @ W^T + bias for `linear` registered as `segment` in the current scope. x: [..., in].
/// Rank 3 gives MatMul + Add with W stored transposed ([in, out]); rank 2 gives one Gemm.
spec::Value linear(spec::GraphBuilder& b, const torch::nn::LinearImpl& linear,
                   std::string_view segment, const spec::Value& x, int64_t rank,
                   const std::string& output = {});

/// LayerNorm over the last axis: the LayerNormalization op from opset 17, else its decomposition
/// (ReduceMean, Sub, Pow, ReduceMean, Add, Sqrt, Div, Mul, Add), which ORT fuses back.
spec::Value layer_norm(spec::GraphBuilder& b, const torch::nn::LayerNormImpl& norm,
                       std::string_view segment, const spec::Value& x,
                       const std::string& output = {});

/// Exact GELU, x * 0.5 * (1 + erf(x / sqrt(2))): Div, Erf, Add, Mul, Mul (ORT fuses it to Gelu).
spec::Value gelu(spec::GraphBuilder& b, const spec::Value& x, const std::string& output = {});

/// [B, S, heads * head_size] -> [B, heads, S, head_size], or [B, heads, head_size, S] (keys,
/// transposed once for Q K^T) with `keys_transposed`.
spec::Value split_heads(spec::GraphBuilder& b, const spec::Value& x, int64_t heads,
                        int64_t head_size, bool keys_transposed);

/// [B, heads, S, head_size] -> [B, S, heads * head_size].
spec::Value merge_heads(spec::GraphBuilder& b, const spec::Value& x, int64_t hidden,
                        const std::string& output = {});

/// x[:, 0:1, :] ([B, S, H] -> [B, 1, H]): the [CLS] position, rank kept.
spec::Value first_token(spec::GraphBuilder& b, const spec::Value& x,
                        const std::string& output = {});

}  // namespace cola::model::graph

#include "model/embeddings.h"

#include "model/dropout.h"
#include "model/graph_ops.h"
#include "spec/names.h"

namespace cola::model {
namespace {

// What torch.onnx.export writes for HF BertEmbeddings without position_ids and token_type_ids:
// the position_ids buffer sliced by the runtime length, and zeros from ConstantOfShape looked up
// in the token-type table. Only for the benchmark's comparison graph (GraphStyle::kTorchExport).
spec::Value torch_style_sum(spec::GraphBuilder& b, const spec::Value& input_ids,
                            const spec::Value& token_type_ids, const spec::Value& words,
                            const spec::Value& positions, const spec::Value& types,
                            int64_t max_positions) {
  std::vector<int64_t> range(static_cast<size_t>(max_positions));
  for (size_t i = 0; i < range.size(); ++i) range[i] = static_cast<int64_t>(i);
  const spec::Value position_ids =
      b.initializer(b.scoped("position_ids"), range, {1, max_positions});
  const spec::Value shape = b.node("Shape", {input_ids});
  const spec::Value seq_len =
      b.node("Unsqueeze", {b.node("Gather", {shape, b.constant({1}, {})}, {{"axis", int64_t{0}}}),
                           b.constant({0}, {1})});
  const spec::Value ids =
      b.node("Slice", {position_ids, b.constant({0}, {1}), seq_len, b.constant({1}, {1})});
  const spec::Value type_ids = token_type_ids.defined() ? token_type_ids
                                                        : b.node("ConstantOfShape", {shape},
                                                                 {{"value", spec::Int64Scalar{0}}});
  const spec::Value sum = b.node("Add", {words, b.node("Gather", {types, type_ids})});
  return b.node("Add", {sum, b.node("Gather", {positions, ids})});
}

}  // namespace

EmbeddingsImpl::EmbeddingsImpl(const spec::BertConfig& config)
    : dropout_(config.hidden_dropout_prob) {
  // padding_idx: the [PAD] row gets no gradient (as in HF); init_bert_weights zeroes it.
  word_embeddings_ = register_module(
      spec::names::kWordEmbeddings,
      torch::nn::Embedding(torch::nn::EmbeddingOptions(config.vocab_size, config.hidden_size)
                               .padding_idx(config.pad_token_id)));
  position_embeddings_ =
      register_module(spec::names::kPositionEmbeddings,
                      torch::nn::Embedding(config.max_position_embeddings, config.hidden_size));
  token_type_embeddings_ =
      register_module(spec::names::kTokenTypeEmbeddings,
                      torch::nn::Embedding(config.type_vocab_size, config.hidden_size));
  layer_norm_ = register_module(
      spec::names::kLayerNorm,
      torch::nn::LayerNorm(
          torch::nn::LayerNormOptions({config.hidden_size}).eps(config.layer_norm_eps)));
}

torch::Tensor EmbeddingsImpl::forward(const torch::Tensor& input_ids,
                                      const torch::Tensor& token_type_ids) {
  const auto positions = torch::arange(input_ids.size(1), input_ids.options());  // [S], broadcast
  auto x = word_embeddings_(input_ids) + token_type_embeddings_(token_type_ids) +
           position_embeddings_(positions);
  return fast_dropout(layer_norm_(x), dropout_, is_training());
}

spec::Value EmbeddingsImpl::to_onnx(spec::GraphBuilder& b, const spec::Value& input_ids,
                                    const spec::Value& token_type_ids) const {
  const auto table = [&](const char* segment, const torch::Tensor& weight) {
    return graph::parameter(b, std::string(segment) + ".weight", weight);
  };
  const spec::Value words =
      b.node("Gather", {table(spec::names::kWordEmbeddings, word_embeddings_->weight), input_ids});
  const spec::Value positions =
      table(spec::names::kPositionEmbeddings, position_embeddings_->weight);
  spec::Value sum;
  if (b.options().style == spec::GraphStyle::kTorchExport) {
    const spec::Value types =
        table(spec::names::kTokenTypeEmbeddings, token_type_embeddings_->weight);
    sum = torch_style_sum(b, input_ids, token_type_ids, words, positions, types,
                          position_embeddings_->weight.size(0));
  } else {
    // Rows 0..S-1 of the position table, S read from input_ids at run time ([S, H], broadcast
    // over the batch). Gather over Range rather than Slice: ONNX 1.12's shape inference loses
    // even the rank of a Slice with run-time bounds, and with it the logits' [batch, labels].
    const spec::Value seq_len = b.node(
        "Gather", {b.node("Shape", {input_ids}), b.constant({1}, {})}, {{"axis", int64_t{0}}});
    const spec::Value range = b.node("Range", {b.constant({0}, {}), seq_len, b.constant({1}, {})});
    const spec::Value pos = b.node("Gather", {positions, range});
    if (token_type_ids.defined()) {
      const spec::Value types = b.node(
          "Gather", {table(spec::names::kTokenTypeEmbeddings, token_type_embeddings_->weight),
                     token_type_ids});
      sum = b.node("Add", {b.node("Add", {words, pos}), types});
    } else {
      // Every token type is 0: add that row to the [S, H] positions once, not to [B, S, H].
      const spec::Value row0 =
          graph::parameter(b, std::string(spec::names::kTokenTypeEmbeddings) + ".weight[0]",
                           token_type_embeddings_->weight[0]);
      sum = b.node("Add", {words, b.node("Add", {pos, row0})});
    }
  }
  // Dropout is the identity at inference.
  return graph::layer_norm(b, *layer_norm_, spec::names::kLayerNorm, sum,
                           b.scoped(spec::names::kOutput));
}

}  // namespace cola::model

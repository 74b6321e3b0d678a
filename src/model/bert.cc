#include "model/bert.h"

#include <c10/util/Exception.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/normalization.h>

#include "core/error.h"
#include "model/dropout.h"
#include "model/graph_ops.h"
#include "spec/names.h"

namespace cola::model {
namespace {

std::string describe(const torch::Tensor& t) {
  if (!t.defined()) return "an undefined tensor";
  return fmt::format("{} [{}]", c10::toString(t.scalar_type()), fmt::join(t.sizes(), ","));
}

void check_ids(const char* what, const torch::Tensor& ids, const torch::Tensor& input_ids) {
  if (ids.scalar_type() != torch::kLong || ids.sizes() != input_ids.sizes()) {
    throw Error(fmt::format("{} must be Long {}, like input_ids; got {}", what,
                            fmt::format("[{}]", fmt::join(input_ids.sizes(), ",")), describe(ids)));
  }
}

void check_inputs(const spec::BertConfig& config, const torch::Tensor& input_ids,
                  const torch::Tensor& attention_mask, const torch::Tensor& token_type_ids) {
  if (!input_ids.defined() || input_ids.dim() != 2 || input_ids.scalar_type() != torch::kLong ||
      input_ids.size(1) == 0) {
    throw Error("input_ids must be Long [batch, seq] with seq >= 1; got " + describe(input_ids));
  }
  if (input_ids.size(1) > config.max_position_embeddings) {
    throw Error(fmt::format("a sequence of {} tokens is longer than max_position_embeddings {}",
                            input_ids.size(1), config.max_position_embeddings));
  }
  if (attention_mask.defined() && attention_mask.sizes() != input_ids.sizes()) {
    throw Error(fmt::format("attention_mask must have the shape of input_ids [{}]; got {}",
                            fmt::join(input_ids.sizes(), ","), describe(attention_mask)));
  }
  if (token_type_ids.defined()) check_ids("token_type_ids", token_type_ids, input_ids);
}

// Called when LibTorch threw: the usual cause is an id outside its embedding table, for which
// LibTorch's own message ("index out of range in self") does not say which input was wrong.
void explain_out_of_range(const char* what, const torch::Tensor& ids, int64_t rows) {
  if (!ids.defined() || ids.numel() == 0) return;
  const int64_t lo = ids.min().item<int64_t>();
  const int64_t hi = ids.max().item<int64_t>();
  if (lo < 0 || hi >= rows) {
    throw Error(fmt::format("{} holds {} but the table has {} rows", what, lo < 0 ? lo : hi, rows));
  }
}

}  // namespace

torch::Tensor additive_attention_mask(const torch::Tensor& attention_mask,
                                      torch::ScalarType dtype) {
  // (1 - mask) * -10000, as in the original BERT and the golden reference. (Newer HF versions use
  // the dtype's lowest value; after softmax both give padded keys a weight that is 0 in float32.)
  const auto mask = attention_mask.to(dtype);
  return ((1.0 - mask) * -10000.0).unsqueeze(1).unsqueeze(2);
}

spec::Value additive_attention_mask(spec::GraphBuilder& b, const spec::Value& attention_mask) {
  const std::vector<spec::Attr> to_float = {
      {"to", int64_t{static_cast<int>(spec::ElemType::kFloat)}}};
  const auto additive = [&](const spec::Value& mask) {
    return b.node("Mul", {b.node("Sub", {b.constant(1.0F), mask}), b.constant(-10000.0F)});
  };
  if (b.options().style == spec::GraphStyle::kTorchExport) {  // unsqueeze first, as HF's code does
    const spec::Value m = b.node("Unsqueeze", {attention_mask, b.constant({1}, {1})});
    return additive(b.node("Cast", {b.node("Unsqueeze", {m, b.constant({2}, {1})})}, to_float));
  }
  // [B, S] -> [B, 1, 1, S] last: the arithmetic runs on the same number of elements either way.
  return b.node("Unsqueeze",
                {additive(b.node("Cast", {attention_mask}, to_float)), b.constant({1, 2}, {2})});
}

PoolerImpl::PoolerImpl(const spec::BertConfig& config) {
  dense_ = register_module(spec::names::kDense,
                           torch::nn::Linear(config.hidden_size, config.hidden_size));
}

torch::Tensor PoolerImpl::forward(const torch::Tensor& hidden) {
  return torch::tanh(dense_(hidden.select(1, 0)));
}

spec::Value PoolerImpl::to_onnx(spec::GraphBuilder& b, const spec::Value& hidden) const {
  // A scalar index drops the axis, as select(1, 0) does: [B, S, H] -> [B, H].
  const spec::Value cls = b.node("Gather", {hidden, b.constant({0}, {})}, {{"axis", int64_t{1}}});
  const std::string name = b.scoped(spec::names::kOutput);
  return b.node("Tanh", {graph::linear(b, *dense_, spec::names::kDense, cls, 2)}, {}, name);
}

BertModelImpl::BertModelImpl(const spec::BertConfig& config) {
  embeddings_ = register_module(spec::names::kEmbeddings, Embeddings(config));
  encoder_ = register_module(spec::names::kEncoder, Encoder(config));
  pooler_ = register_module(spec::names::kPooler, Pooler(config));
}

torch::Tensor BertModelImpl::forward(const torch::Tensor& input_ids,
                                     const torch::Tensor& attention_mask,
                                     const torch::Tensor& token_type_ids, BertOutputs* outputs) {
  const auto x = embeddings_(input_ids, token_type_ids);
  const auto mask = additive_attention_mask(attention_mask, x.scalar_type());
  // The pooler reads only [CLS] of the last layer, so unless every layer's output is wanted, that
  // layer computes [CLS] alone: keys and values still cover every token, so the logits are the
  // same, and bert-tiny needs about 40% fewer FLOPs per token.
  const auto hidden = outputs != nullptr ? encoder_->forward(x, mask, &outputs->layers)
                                         : encoder_->forward(x, mask, nullptr, true);
  auto pooled = pooler_(hidden);
  if (outputs != nullptr) {
    outputs->embeddings = x;
    outputs->pooled = pooled;
  }
  return pooled;
}

spec::Value BertModelImpl::to_onnx(spec::GraphBuilder& b, const spec::Value& input_ids,
                                   const spec::Value& attention_mask,
                                   const spec::Value& token_type_ids) const {
  spec::Value x;
  {
    spec::GraphBuilder::Scope scope(b, spec::names::kEmbeddings);
    x = embeddings_->to_onnx(b, input_ids, token_type_ids);
  }
  const spec::Value mask = additive_attention_mask(b, attention_mask);
  const bool first_token_only = b.options().style == spec::GraphStyle::kCola;
  {
    spec::GraphBuilder::Scope scope(b, spec::names::kEncoder);
    x = encoder_->to_onnx(b, x, mask, first_token_only);
  }
  spec::GraphBuilder::Scope scope(b, spec::names::kPooler);
  return pooler_->to_onnx(b, x);
}

BertForSequenceClassificationImpl::BertForSequenceClassificationImpl(spec::BertConfig config,
                                                                     bool init)
    : config_(std::move(config)) {
  config_.validate();
  bert_ = register_module(spec::names::kBert, BertModel(config_));
  classifier_ = register_module(spec::names::kClassifier,
                                torch::nn::Linear(config_.hidden_size, config_.num_labels()));
  if (init) init_weights();
}

BertOutputs BertForSequenceClassificationImpl::run(const torch::Tensor& input_ids,
                                                   const torch::Tensor& attention_mask,
                                                   const torch::Tensor& token_type_ids,
                                                   bool keep_all) {
  check_inputs(config_, input_ids, attention_mask, token_type_ids);
  try {
    const auto mask = attention_mask.defined() ? attention_mask : torch::ones_like(input_ids);
    const auto types = token_type_ids.defined() ? token_type_ids : torch::zeros_like(input_ids);
    BertOutputs out;
    const auto pooled = bert_->forward(input_ids, mask, types, keep_all ? &out : nullptr);
    const double p = config_.effective_classifier_dropout();
    out.logits = classifier_(fast_dropout(pooled, p, is_training()));
    return out;
  } catch (const c10::Error& e) {
    explain_out_of_range("input_ids", input_ids, config_.vocab_size);
    explain_out_of_range("token_type_ids", token_type_ids, config_.type_vocab_size);
    throw Error(std::string("BERT forward: ") + e.what_without_backtrace());
  }
}

torch::Tensor BertForSequenceClassificationImpl::forward(const torch::Tensor& input_ids,
                                                         const torch::Tensor& attention_mask,
                                                         const torch::Tensor& token_type_ids) {
  return run(input_ids, attention_mask, token_type_ids, /*keep_all=*/false).logits;
}

BertOutputs BertForSequenceClassificationImpl::forward_all(const torch::Tensor& input_ids,
                                                           const torch::Tensor& attention_mask,
                                                           const torch::Tensor& token_type_ids) {
  return run(input_ids, attention_mask, token_type_ids, /*keep_all=*/true);
}

spec::Value BertForSequenceClassificationImpl::to_onnx(spec::GraphBuilder& b,
                                                       const spec::Value& input_ids,
                                                       const spec::Value& attention_mask,
                                                       const spec::Value& token_type_ids) const {
  spec::Value pooled;
  {
    spec::GraphBuilder::Scope scope(b, spec::names::kBert);
    pooled = bert_->to_onnx(b, input_ids, attention_mask, token_type_ids);
  }
  // Classifier dropout is the identity at inference.
  return graph::linear(b, *classifier_, spec::names::kClassifier, pooled, 2,
                       std::string(spec::names::kLogits));
}

void BertForSequenceClassificationImpl::init_weights() {
  // HF BertPreTrainedModel._init_weights. Plain normal, not truncated, as HF does.
  torch::NoGradGuard no_grad;
  const double std = config_.initializer_range;
  for (const auto& module : modules(/*include_self=*/false)) {
    if (auto* linear = module->as<torch::nn::Linear>()) {
      linear->weight.normal_(0.0, std);
      if (linear->bias.defined()) linear->bias.zero_();
    } else if (auto* embedding = module->as<torch::nn::Embedding>()) {
      embedding->weight.normal_(0.0, std);
      if (const auto pad = embedding->options.padding_idx()) embedding->weight[*pad].zero_();
    } else if (auto* norm = module->as<torch::nn::LayerNorm>()) {
      norm->weight.fill_(1.0);
      norm->bias.zero_();
    }
  }
}

void BertForSequenceClassificationImpl::reset_classifier() {
  torch::NoGradGuard no_grad;
  classifier_->weight.normal_(0.0, config_.initializer_range);
  classifier_->bias.zero_();
}

}  // namespace cola::model

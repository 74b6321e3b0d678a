#include "export/validate.h"

#include <fmt/format.h>
#include <onnx/checker.h>
#include <onnx/shape_inference/implementation.h>
#include <torch/types.h>
#include <torch/utils.h>

#include <algorithm>
#include <random>

#include "core/error.h"
#include "model/names.h"
#include "runtime/ort_session.h"

namespace cola::exporter {
namespace {

std::string shape_text(const onnx::TypeProto& type) {
  if (!type.tensor_type().has_shape()) return "unknown";
  std::vector<std::string> dims;
  for (const auto& d : type.tensor_type().shape().dim()) {
    dims.push_back(d.has_dim_value() ? std::to_string(d.dim_value())
                                     : (d.has_dim_param() ? d.dim_param() : "?"));
  }
  return fmt::format("[{}]", fmt::join(dims, ", "));
}

// Random ids in [1, vocab) for real tokens (0 is usually [PAD]), padding after each row's length.
struct Inputs {
  std::vector<int64_t> ids, mask, types;
};

Inputs make_inputs(const ParityCase& c, const model::BertConfig& config, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int64_t> token(1, config.vocab_size - 1);
  std::uniform_int_distribution<int64_t> type(0, config.type_vocab_size - 1);
  Inputs in;
  for (int64_t row = 0; row < c.batch; ++row) {
    for (int64_t i = 0; i < c.sequence; ++i) {
      const bool real = i < c.lengths[static_cast<size_t>(row)];
      in.ids.push_back(real ? token(rng) : config.pad_token_id);
      in.mask.push_back(real ? 1 : 0);
      in.types.push_back(real ? type(rng) : 0);
    }
  }
  return in;
}

torch::Tensor as_tensor(std::vector<int64_t>& data, int64_t batch, int64_t sequence) {
  return torch::from_blob(data.data(), {batch, sequence}, torch::kLong);
}

// max |a - b| over all elements, and whether each row's argmax agrees.
void compare(const torch::Tensor& expected, const runtime::FloatOutput& got, ParityRow& row) {
  if (static_cast<int64_t>(got.data.size()) != expected.numel()) {
    throw Error(fmt::format("ONNX output '{}' has {} values, LibTorch's has {}", got.name,
                            got.data.size(), expected.numel()));
  }
  const auto actual = torch::from_blob(const_cast<float*>(got.data.data()),  // read only
                                       {expected.size(0), expected.size(1)}, torch::kFloat);
  row.max_abs_diff = std::max(row.max_abs_diff, (expected - actual).abs().max().item<double>());
  row.argmax_equal = row.argmax_equal && expected.argmax(1).equal(actual.argmax(1));
}

}  // namespace

std::string check_graph(const onnx::ModelProto& model, const std::string& output,
                        int64_t num_labels) {
  try {
    onnx::checker::check_model(model);
    // Infer on a copy whose outputs declare no shape, so the shape below is what inference
    // derived, not what we declared.
    onnx::ModelProto copy = model;
    for (auto& out : *copy.mutable_graph()->mutable_output()) {
      out.mutable_type()->mutable_tensor_type()->clear_shape();
    }
    const onnx::ShapeInferenceOptions strict(/*check_type=*/true, /*error_mode=*/1,
                                             /*data_prop=*/true);
    onnx::shape_inference::InferShapes(copy, onnx::OpSchemaRegistry::Instance(), strict);
    for (const auto& out : copy.graph().output()) {
      if (out.name() != output) continue;
      const std::string inferred = shape_text(out.type());
      const std::string expected = fmt::format("[batch, {}]", num_labels);
      if (inferred != expected) {
        throw Error(fmt::format("shape inference gives '{}' the shape {}, expected {}", output,
                                inferred, expected));
      }
      return inferred;
    }
    throw Error("the graph has no output '" + output + "'");
  } catch (const onnx::checker::ValidationError& e) {
    throw Error(std::string("ONNX checker: ") + e.what());
  } catch (const onnx::InferenceError& e) {
    throw Error(std::string("ONNX shape inference: ") + e.what());
  }
}

std::vector<ParityCase> parity_cases(int64_t max_position_embeddings) {
  const auto cap = [&](int64_t s) { return std::min(s, max_position_embeddings); };
  const int64_t mixed = cap(9);
  return {
      {1, 1, {1}, "[CLS] alone"},
      {1, cap(7), {cap(7)}, ""},
      {3, mixed, {mixed, std::max<int64_t>(1, mixed - 3), 1}, "mixed lengths, padded"},
      {8, cap(64), std::vector<int64_t>(8, cap(64)), ""},
      {2,
       max_position_embeddings,
       {max_position_embeddings, max_position_embeddings},
       "max_position_embeddings"},
  };
}

std::vector<ParityRow> check_parity(model::BertForSequenceClassificationImpl& model,
                                    std::string_view onnx_bytes, const GraphRequest& request,
                                    const std::vector<ParityCase>& cases) {
  torch::NoGradGuard no_grad;
  const auto session = runtime::Session::from_bytes(onnx_bytes, {}, "the exported model");
  std::vector<ParityRow> rows;
  for (size_t i = 0; i < cases.size(); ++i) {
    const auto& c = cases[i];
    auto in = make_inputs(c, model.config(), /*seed=*/1000 + i);
    const auto ids = as_tensor(in.ids, c.batch, c.sequence);
    const auto mask = as_tensor(in.mask, c.batch, c.sequence);
    const auto types =
        request.token_type_ids ? as_tensor(in.types, c.batch, c.sequence) : torch::Tensor();
    const auto logits = model.forward(ids, mask, types);

    std::vector<runtime::Int64Input> inputs = {{kInputIds, in.ids, {c.batch, c.sequence}},
                                               {kAttentionMask, in.mask, {c.batch, c.sequence}}};
    if (request.token_type_ids) inputs.push_back({kTokenTypeIds, in.types, {c.batch, c.sequence}});
    std::vector<std::string> wanted = {std::string(model::names::kLogits)};
    if (request.probabilities) wanted.emplace_back(kProbabilities);
    const auto outputs = session.run(inputs, wanted);

    ParityRow row{c.batch, c.sequence, c.note, 0.0, kParityTolerance, true};
    compare(logits, outputs.at(0), row);
    if (request.probabilities) compare(torch::softmax(logits, -1), outputs.at(1), row);
    rows.push_back(row);
  }
  return rows;
}

}  // namespace cola::exporter

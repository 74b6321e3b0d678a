#include "export/validate.h"

#include <fmt/format.h>
#include <torch/types.h>
#include <torch/utils.h>

#include <algorithm>
#include <limits>

#include "core/error.h"
#include "runtime/ort_session.h"
#include "runtime/parity.h"
#include "spec/names.h"

namespace cola::exporter {
namespace {

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
  // NaN compares false with everything, so max() would drop it and the row would "pass": a
  // non-finite value on either side is an infinite difference.
  if (!torch::isfinite(expected).all().item<bool>() ||
      !torch::isfinite(actual).all().item<bool>()) {
    row.max_abs_diff = std::numeric_limits<double>::infinity();
    row.argmax_equal = false;
    return;
  }
  row.max_abs_diff = std::max(row.max_abs_diff, (expected - actual).abs().max().item<double>());
  row.argmax_equal = row.argmax_equal && expected.argmax(1).equal(actual.argmax(1));
}

// The int8 figures, on the logits: probabilities, share of same argmax, cosine.
void compare_quantized(const torch::Tensor& expected, const runtime::FloatOutput& got,
                       ParityRow& row) {
  const auto e = expected.contiguous();
  const auto c = predict::compare_logits(
      std::span<const float>(e.data_ptr<float>(), static_cast<size_t>(e.numel())), got.data,
      static_cast<size_t>(e.size(1)));
  row.max_prob_diff = c.max_abs_prob_diff;
  row.agreement = c.agreement();
  row.cosine = c.cosine;
}

}  // namespace

std::vector<ParityRow> check_parity(model::BertForSequenceClassificationImpl& model,
                                    std::string_view onnx_bytes, const GraphRequest& request,
                                    const std::vector<ParityCase>& cases, bool quantized) {
  torch::NoGradGuard no_grad;
  const auto session = runtime::Session::from_bytes(onnx_bytes, {}, "the exported model");
  std::vector<ParityRow> rows;
  for (size_t i = 0; i < cases.size(); ++i) {
    const auto& c = cases[i];
    const auto& config = model.config();
    auto in = runtime::make_parity_inputs(
        c, {config.vocab_size, config.type_vocab_size, config.pad_token_id}, /*seed=*/1000 + i);
    const auto ids = as_tensor(in.ids, c.batch, c.sequence);
    const auto mask = as_tensor(in.mask, c.batch, c.sequence);
    const auto types =
        request.token_type_ids ? as_tensor(in.types, c.batch, c.sequence) : torch::Tensor();
    const auto logits = model.forward(ids, mask, types);

    std::vector<runtime::Int64Input> inputs = {{kInputIds, in.ids, {c.batch, c.sequence}},
                                               {kAttentionMask, in.mask, {c.batch, c.sequence}}};
    if (request.token_type_ids) inputs.push_back({kTokenTypeIds, in.types, {c.batch, c.sequence}});
    std::vector<std::string> wanted = {std::string(spec::names::kLogits)};
    if (request.probabilities) wanted.emplace_back(kProbabilities);
    const auto outputs = session.run(inputs, wanted);

    ParityRow row{c.batch, c.sequence, c.note, 0.0, kParityTolerance, true};
    compare(logits, outputs.at(0), row);
    if (quantized) {
      row.quantized = true;
      row.tolerance = kQuantizedMinCosine;
      compare_quantized(logits, outputs.at(0), row);
    }
    if (request.probabilities) compare(torch::softmax(logits, -1), outputs.at(1), row);
    rows.push_back(row);
  }
  return rows;
}

}  // namespace cola::exporter

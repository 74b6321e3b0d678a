#include "validate/quantized.h"

#include <algorithm>

#include "core/error.h"
#include "data/reader.h"
#include "graph/check.h"
#include "graph/io.h"
#include "predict/compare.h"
#include "runtime/onnx_predictor.h"
#include "runtime/parity.h"
#include "spec/names.h"

namespace cola::validate {
namespace fs = std::filesystem;
namespace names = spec::names;
namespace {

// The first dimension of the initializer whose name ends with `suffix`; `fallback` without one.
int64_t rows_of(const onnx::ModelProto& m, std::string_view suffix, int64_t fallback) {
  for (const auto& t : m.graph().initializer()) {
    if (t.name().ends_with(suffix) && t.dims_size() == 2) return t.dims(0);
  }
  return fallback;
}

bool has_input(const onnx::ModelProto& m, std::string_view name) {
  return std::ranges::any_of(m.graph().input(),
                             [&](const onnx::ValueInfoProto& in) { return in.name() == name; });
}

// The reference (fp32) against the int8 bytes on the labelled sentences of `path`.
predict::DataComparison on_data(const Fp32Reference& reference, const std::string& int8_bytes,
                                const fs::path& path) {
  const auto fp32 = reference.open_predictor();
  const auto int8 = runtime::OnnxPredictor::from_bytes(int8_bytes, "the quantized model", {});
  const auto data = data::read_labelled(path, fp32->labels());
  auto result = predict::compare_on_data(*fp32, *int8, data.sentences, data.labels);
  result.data = path.string();
  return result;
}

}  // namespace

Quantized quantize(onnx::ModelProto& model, const graph::QuantizeOptions& options) {
  Quantized q;
  q.summary = graph::quantize_model(model, options);
  q.json = graph::quantization_json(options, q.summary);
  graph::set_metadata(model, graph::kMetaQuantization, q.json);
  return q;
}

Validation validate_quantized(const onnx::ModelProto& int8, const std::string& int8_bytes,
                              int64_t num_labels, const Fp32Reference& reference,
                              const fs::path& validate_data) {
  Validation v;
  v.ran = true;
  v.inferred_logits_shape = graph::check_graph(int8, std::string(names::kLogits), num_labels);
  v.parity = reference.parity(int8_bytes);
  if (!validate_data.empty()) {
    v.has_data = true;
    v.data = on_data(reference, int8_bytes, validate_data);
  }
  return v;
}

std::vector<ParityRow> onnx_parity(const onnx::ModelProto& fp32, const std::string& fp32_bytes,
                                   const std::string& int8_bytes) {
  const runtime::TokenSpace tokens{rows_of(fp32, ".word_embeddings.weight", 0),
                                   rows_of(fp32, ".token_type_embeddings.weight", 1), 0};
  if (tokens.vocab_size < 2) throw Error("no word-embedding table found to draw token ids from");
  const auto cases = runtime::parity_cases(rows_of(fp32, ".position_embeddings.weight", 512));
  const auto reference = runtime::Session::from_bytes(fp32_bytes, {}, "the fp32 model");
  const auto candidate = runtime::Session::from_bytes(int8_bytes, {}, "the quantized model");
  const auto comparisons =
      runtime::compare_sessions(reference, candidate, cases, tokens, std::string(names::kLogits),
                                has_input(fp32, names::kTokenTypeIds));
  std::vector<ParityRow> rows;
  for (size_t i = 0; i < cases.size(); ++i) {
    const auto& c = comparisons[i];
    ParityRow row;
    row.batch = cases[i].batch;
    row.sequence = cases[i].sequence;
    row.note = cases[i].note;
    row.quantized = true;
    row.tolerance = kQuantizedMinCosine;
    row.max_abs_diff = c.max_abs_logit_diff;
    row.max_prob_diff = c.max_abs_prob_diff;
    row.agreement = c.agreement();
    row.cosine = c.cosine;
    row.argmax_equal = c.same_argmax == c.rows;
    rows.push_back(row);
  }
  return rows;
}

void require_passed(const Validation& v, const std::string& output) {
  if (!v.data_passed()) throw Error(v.data_failure(output));
  if (!v.passed()) {
    throw Error(
        fmt::format("validation failed: the int8 logits' cosine with the fp32 model's fell "
                    "below {}; {} was not written",
                    kQuantizedMinCosine, output));
  }
}

}  // namespace cola::validate

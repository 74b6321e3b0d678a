// `cola quantize IN.onnx --output OUT.onnx`: the int8 pass of `cola export --quantize int8`
// (graph/quantize.h) on a file `cola export` wrote, validated against that fp32 file with ONNX
// Runtime. No LibTorch: this runs where only the .onnx file is.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "app/cola/commands.h"
#include "app/cola/validation_report.h"
#include "core/digest.h"
#include "core/error.h"
#include "core/file.h"
#include "data/reader.h"
#include "graph/check.h"
#include "graph/io.h"
#include "graph/quantize.h"
#include "predict/labels.h"
#include "runtime/onnx_predictor.h"
#include "runtime/ort_info.h"
#include "runtime/parity.h"
#include "spec/names.h"

namespace cola::app {
namespace {
namespace fs = std::filesystem;

struct QuantizeFlags {
  fs::path input, output, validate_data;
  bool no_validate = false, embeddings = false, dvc = false;
  bool full_range = false;
  bool reduce_range = false;  // the default; the flag says so explicitly
};

// The first dimension of the initializer whose name ends with `suffix`; `fallback` without one.
int64_t rows_of(const onnx::ModelProto& m, std::string_view suffix, int64_t fallback) {
  for (const auto& t : m.graph().initializer()) {
    const auto& n = t.name();
    if (n.ends_with(suffix) && t.dims_size() == 2) {
      return t.dims(0);
    }
  }
  return fallback;
}

bool has_input(const onnx::ModelProto& m, std::string_view name) {
  return std::ranges::any_of(m.graph().input(),
                             [&](const onnx::ValueInfoProto& in) { return in.name() == name; });
}

// The random-shape parity rows of int8 against the fp32 file.
std::vector<exporter::ParityRow> parity(const onnx::ModelProto& fp32, const std::string& fp32_bytes,
                                        const std::string& int8_bytes) {
  namespace names = spec::names;
  const runtime::TokenSpace tokens{rows_of(fp32, ".word_embeddings.weight", 0),
                                   rows_of(fp32, ".token_type_embeddings.weight", 1), 0};
  if (tokens.vocab_size < 2) throw Error("no word-embedding table found to draw token ids from");
  const auto cases = runtime::parity_cases(rows_of(fp32, ".position_embeddings.weight", 512));
  const auto reference = runtime::Session::from_bytes(fp32_bytes, {}, "the fp32 model");
  const auto candidate = runtime::Session::from_bytes(int8_bytes, {}, "the quantized model");
  const auto comparisons = runtime::compare_sessions(reference, candidate, cases, tokens,
                                                     std::string(spec::names::kLogits),
                                                     has_input(fp32, spec::names::kTokenTypeIds));
  std::vector<exporter::ParityRow> rows;
  for (size_t i = 0; i < cases.size(); ++i) {
    const auto& c = comparisons[i];
    exporter::ParityRow row;
    row.batch = cases[i].batch;
    row.sequence = cases[i].sequence;
    row.note = cases[i].note;
    row.quantized = true;
    row.tolerance = exporter::kQuantizedMinCosine;
    row.max_abs_diff = c.max_abs_logit_diff;
    row.max_prob_diff = c.max_abs_prob_diff;
    row.agreement = c.agreement();
    row.cosine = c.cosine;
    row.argmax_equal = c.same_argmax == c.rows;
    rows.push_back(row);
  }
  return rows;
}

predict::DataComparison on_data(const QuantizeFlags& f, const std::string& fp32_bytes,
                                const std::string& int8_bytes) {
  const auto reference = runtime::OnnxPredictor::from_bytes(fp32_bytes, f.input.string(), {});
  const auto candidate = runtime::OnnxPredictor::from_bytes(int8_bytes, "the quantized model", {});
  const auto data = data::read_labelled(f.validate_data, reference->labels());
  auto result = predict::compare_on_data(*reference, *candidate, data.sentences, data.labels);
  result.data = f.validate_data.string();
  return result;
}

exporter::Validation validate(const QuantizeFlags& f, const onnx::ModelProto& fp32,
                              const onnx::ModelProto& int8, const std::string& fp32_bytes,
                              const std::string& int8_bytes) {
  exporter::Validation v;
  v.ran = true;
  const auto id2label = graph::metadata_value(fp32, spec::names::kMetaId2Label);
  const auto labels = predict::parse_id2label(id2label, f.input.string() + " metadata id2label");
  v.inferred_logits_shape = graph::check_graph(int8, std::string(spec::names::kLogits),
                                               static_cast<int64_t>(labels.size()));
  v.parity = parity(fp32, fp32_bytes, int8_bytes);
  if (!f.validate_data.empty()) {
    v.has_data = true;
    v.data = on_data(f, fp32_bytes, int8_bytes);
  }
  return v;
}

void run(const QuantizeFlags& f) {
  std::error_code ec;
  if (fs::equivalent(f.input, f.output, ec)) {
    throw UsageError("--output must differ from the input: the fp32 file is kept");
  }
  if (f.no_validate && !f.validate_data.empty()) {
    throw UsageError("--validate-data cannot be combined with --no-validate");
  }
  AtomicFileWriter out(f.output);  // an unwritable output fails before any work
  const std::string fp32_bytes = read_file(f.input);
  const auto fp32 = graph::parse_model(fp32_bytes, f.input.string());
  if (fp32.producer_name() != "cola") {
    throw Error(
        fmt::format("{}: written by '{}', not by `cola export`; export its checkpoint "
                    "with `cola export --quantize int8`",
                    f.input.string(), fp32.producer_name()));
  }
  graph::QuantizeOptions q;
  q.reduce_range = !f.full_range;
  if (f.full_range) runtime::warn_full_range_once("cola quantize --full-range");
  q.embeddings = f.embeddings;
  auto int8 = fp32;
  const auto summary =
      with_context(f.input.string(), [&] { return graph::quantize_model(int8, q); });
  const std::string json = graph::quantization_json(q, summary);
  graph::set_metadata(int8, graph::kMetaQuantization, json);
  const std::string int8_bytes = graph::serialize(int8);

  exporter::Validation v;
  if (!f.no_validate) {
    v = with_context("validating the quantized " + f.input.string(),
                     [&] { return validate(f, fp32, int8, fp32_bytes, int8_bytes); });
    print_validation(v, f.input.string());
    if (!v.data_passed()) throw Error(v.data_failure(f.output.string()));
    if (!v.passed()) {
      throw Error(
          fmt::format("validation failed: the int8 logits' cosine with the fp32 file's "
                      "fell below {}; {} was not written",
                      exporter::kQuantizedMinCosine, f.output.string()));
    }
  }
  out.write(int8_bytes);
  out.commit();
  fmt::print(
      "wrote {} ({:.1f} MB, {:.0f}% of {}; {} Linears int8{}{})\n", f.output.string(),
      static_cast<double>(int8_bytes.size()) / 1e6,
      100.0 * static_cast<double>(int8_bytes.size()) / static_cast<double>(fp32_bytes.size()),
      f.input.string(), summary.linears.size(),
      summary.embeddings.empty() ? "" : ", word embeddings int8",
      summary.kept.empty() ? "" : fmt::format(", {} fp32", fmt::join(summary.kept, ", ")));
  fmt::print("sha256: {}\n", sha256_hex(int8_bytes));
  fmt::print("quantization: {}\n", json);
  nlohmann::json metrics = {{"quantization", nlohmann::json::parse(json)},
                            {"source_sha256", sha256_hex(fp32_bytes)}};
  if (v.has_data) {
    metrics["data_agreement"] = v.data.logits.agreement();
    metrics["data_mcc_fp32"] = v.data.reference.mcc;
    metrics["data_mcc_int8"] = v.data.candidate.mcc;
  }
  write_versioning(f.output, json, metrics, f.dvc);
}

}  // namespace

void setup_quantize(CLI::App& cmd) {
  auto f = std::make_shared<QuantizeFlags>();
  cmd.add_option("input", f->input, "the fp32 .onnx file, as `cola export` wrote it")
      ->required()
      ->check(CLI::ExistingFile);
  cmd.add_option("--output", f->output, "the int8 .onnx file to write")->required();
  auto* full = cmd.add_flag("--full-range", f->full_range,
                            "8-bit weights, for CPUs with AVX-512 VNNI (can saturate on AVX2)");
  cmd.add_flag("--reduce-range", f->reduce_range, "7-bit weights, exact on AVX2 too (the default)")
      ->excludes(full);
  cmd.add_flag("--quantize-embeddings", f->embeddings,
               "also the word-embedding table, one scale per row (the file shrinks ~4x)");
  cmd.add_option("--validate-data", f->validate_data,
                 "labelled sentences (TSV or JSONL) to score both files on; fails if they agree on "
                 "fewer than 99%")
      ->check(CLI::ExistingFile);
  cmd.add_flag("--no-validate", f->no_validate,
               "skip the checker, shape inference and the comparison with the fp32 file");
  cmd.add_flag("--dvc", f->dvc, "also write a DVC 3 <output>.dvc file (dvc push-able)");
  cmd.callback([f] { run(*f); });
}

}  // namespace cola::app

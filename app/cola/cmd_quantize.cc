// `cola quantize IN.onnx --output OUT.onnx`: the int8 pass of `cola export --quantize int8`
// (graph/quantize.h) on a file `cola export` wrote, validated against that fp32 file with ONNX
// Runtime. No LibTorch: this runs where only the .onnx file is.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <nlohmann/json.hpp>

#include "app/cola/commands.h"
#include "app/cola/validation_report.h"
#include "core/digest.h"
#include "core/error.h"
#include "core/file.h"
#include "graph/io.h"
#include "predict/labels.h"
#include "runtime/onnx_predictor.h"
#include "runtime/ort_info.h"
#include "spec/names.h"
#include "validate/quantized.h"

namespace cola::app {
namespace {
namespace fs = std::filesystem;

struct QuantizeFlags {
  fs::path input, output, validate_data;
  bool no_validate = false, embeddings = false, dvc = false;
  bool full_range = false;
  bool reduce_range = false;  // the default; the flag says so explicitly
};

// The fp32 file as the reference: ONNX Runtime on both sides.
validate::Fp32Reference fp32_reference(const QuantizeFlags& f, const onnx::ModelProto& fp32,
                                       const std::string& fp32_bytes) {
  return {
      .parity =
          [&](const std::string& int8) { return validate::onnx_parity(fp32, fp32_bytes, int8); },
      .open_predictor = [&]() -> std::unique_ptr<predict::Predictor> {
        return runtime::OnnxPredictor::from_bytes(fp32_bytes, f.input.string(), {});
      }};
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
  if (f.full_range) runtime::warn_full_range_once("cola quantize --full-range");
  auto int8 = fp32;
  const auto [summary, json] = with_context(f.input.string(), [&] {
    return validate::quantize(int8, {.reduce_range = !f.full_range, .embeddings = f.embeddings});
  });
  const std::string int8_bytes = graph::serialize(int8);

  validate::Validation v;
  if (!f.no_validate) {
    v = with_context("validating the quantized " + f.input.string(), [&] {
      const auto labels =
          predict::parse_id2label(graph::metadata_value(fp32, spec::names::kMetaId2Label),
                                  f.input.string() + " metadata id2label");
      return validate::validate_quantized(int8, int8_bytes, static_cast<int64_t>(labels.size()),
                                          fp32_reference(f, fp32, fp32_bytes), f.validate_data);
    });
    print_validation(v, f.input.string());
    validate::require_passed(v, f.output.string());
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

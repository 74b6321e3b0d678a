#include "app/cola/validation_report.h"

#include <fmt/format.h>

#include "app/cola/version.h"
#include "track/dvc.h"
#include "track/manifest.h"

namespace cola::app {
namespace {

void print_data(const predict::DataComparison& d) {
  fmt::print("validation data: {} ({} sentences)\n", d.data, d.logits.rows);
  fmt::print("  model   accuracy     MCC\n");
  fmt::print("  fp32  {:>10.4f}{:>8.4f}\n", d.reference.accuracy, d.reference.mcc);
  fmt::print("  int8  {:>10.4f}{:>8.4f}\n", d.candidate.accuracy, d.candidate.mcc);
  fmt::print(
      "  argmax agreement {:.2f}% ({} of {}; at least {:.0f}% required), max |Δprob| "
      "{:.4f}, logits cosine {:.6f}, |ΔMCC| {:.4f}\n",
      100 * d.logits.agreement(), d.logits.same_argmax, d.logits.rows,
      100 * exporter::kMinDataAgreement, d.logits.max_abs_prob_diff, d.logits.cosine,
      std::abs(d.candidate.mcc - d.reference.mcc));
}

}  // namespace

void print_validation(const exporter::Validation& v, const std::string& reference) {
  fmt::print("validation: onnx checker passed; shape inference: logits {}\n",
             v.inferred_logits_shape);
  const bool quantized = !v.parity.empty() && v.parity.front().quantized;
  // Written out rather than padded by fmt, which counts the bytes of the UTF-8 delta.
  if (quantized) {
    fmt::print("  int8 against {}:\n", reference);
    fmt::print("  shape     max |Δlogit|  max |Δprob|  agree      cosine  min cosine  result\n");
  } else {
    fmt::print("  shape          max |Δ|   tolerance   argmax  result\n");
  }
  for (const auto& r : v.parity) {
    const std::string result = r.passed() ? "pass" : "FAIL";
    const std::string tail = r.note.empty() ? result : fmt::format("{:<6}{}", result, r.note);
    const std::string shape = fmt::format("{}x{}", r.batch, r.sequence);
    if (quantized) {
      fmt::print("  {:<10}{:>12.2e}{:>13.4f}{:>6.0f}%{:>12.6f}{:>12.2f}  {}\n", shape,
                 r.max_abs_diff, r.max_prob_diff, 100 * r.agreement, r.cosine, r.tolerance, tail);
    } else {
      fmt::print("  {:<10}{:>12.2e}{:>12.0e}{:>9}  {}\n", shape, r.max_abs_diff, r.tolerance,
                 r.argmax_equal ? "same" : "differs", tail);
    }
  }
  if (v.has_data) print_data(v.data);
}

void write_versioning(const std::filesystem::path& model, const std::string& config,
                      const nlohmann::json& metrics, bool dvc) {
  track::ManifestInfo info;
  info.config_yaml = config;
  info.metrics = metrics;
  info.code_version = code_version();
  fmt::print("manifest: {}\n", track::write_manifest(model, info).string());
  if (dvc) fmt::print("dvc: {}\n", track::write_dvc_file(model).string());
}

}  // namespace cola::app

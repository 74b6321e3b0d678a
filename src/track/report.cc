#include "track/report.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "core/digest.h"
#include "core/error.h"
#include "core/file.h"
#include "track/confusion_image.h"
#include "track/event_reader.h"
#include "track/progress.h"
#include "track/run_info.h"
#include "track/svg_chart.h"

namespace cola::track {
namespace fs = std::filesystem;
using nlohmann::json;
namespace {

constexpr const char* kStyle =
    "body{font-family:sans-serif;margin:2em;max-width:1200px;color:#222}"
    "table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:3px 8px;"
    "text-align:left;font-size:13px}th{background:#f3f3f3}pre{background:#f7f7f7;padding:1em;"
    "overflow:auto}.charts{display:flex;flex-wrap:wrap;gap:1em}";

// The non-empty lines of a JSON-lines file.
std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    if (end > start) lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

ChartSeries series(const std::vector<json>& records, const char* x_key, const char* y_key,
                   const char* color) {
  ChartSeries s{y_key, color, {}};
  for (const auto& r : records) {
    if (r.contains(x_key) && r.contains(y_key) && r[y_key].is_number()) {
      s.points.emplace_back(r[x_key].get<double>(), r[y_key].get<double>());
    }
  }
  return s;
}

std::string charts(const RunInfo& run) {
  const auto& st = run.steps;
  const auto& ep = run.validations;
  std::string s = "<h2>Curves</h2><div class='charts'>";
  s += svg_line_chart("Loss per step", "step", {series(st, "step", "train/loss", "#1f77b4")});
  s += svg_line_chart("Accuracy per step", "step", {series(st, "step", "train/acc", "#1f77b4")});
  s += svg_line_chart("Loss per epoch", "epoch",
                      {series(ep, "epoch", "train/epoch_loss", "#1f77b4"),
                       series(ep, "epoch", "valid/loss", "#d62728")});
  s += svg_line_chart("Accuracy per epoch", "epoch",
                      {series(ep, "epoch", "train/epoch_acc", "#1f77b4"),
                       series(ep, "epoch", "valid/acc", "#d62728")});
  s += svg_line_chart("MCC per epoch", "epoch", {series(ep, "epoch", "valid/mcc", "#2ca02c")});
  return s + "</div>";
}

std::vector<std::string> labels_of(const fs::path& run_dir, size_t n) {
  std::vector<std::string> labels;
  try {
    const auto cfg = YAML::LoadFile((run_dir / ".hydra" / "config.yaml").string());
    if (cfg["data"] && cfg["data"]["labels"])
      labels = cfg["data"]["labels"].as<std::vector<std::string>>();
  } catch (const YAML::Exception& e) {
    throw Error(fmt::format("{}: {}", (run_dir / ".hydra" / "config.yaml").string(), e.what()));
  }
  while (labels.size() < n) labels.push_back(std::to_string(labels.size()));
  labels.resize(n);
  return labels;
}

std::string confusion(const RunInfo& run) {
  if (!run.best.is_object() || !run.best.contains("valid/confusion_matrix")) return "";
  const auto counts = run.best["valid/confusion_matrix"].get<std::vector<std::vector<int64_t>>>();
  const auto labels = labels_of(run.dir, counts.size());
  std::string s = fmt::format("<h2>Confusion matrix (epoch {})</h2>", run.best.value("epoch", 0));
  s += "<img class='confusion' alt='confusion matrix' src='data:image/png;base64," +
       base64_encode(confusion_matrix_png(counts, labels)) + "'>";
  s += "<table class='confusion'><tr><th>true \\ predicted</th>";
  for (const auto& l : labels) s += "<th>" + html_escape(l) + "</th>";
  for (size_t i = 0; i < counts.size(); ++i) {
    s += "<tr><th>" + html_escape(labels[i]) + "</th>";
    for (const auto c : counts[i]) s += fmt::format("<td>{}</td>", c);
    s += "</tr>";
  }
  return s + "</table>";
}

std::string wrong_predictions(const RunInfo& run) {
  if (!run.best.is_object()) return "";
  const fs::path file =
      run.dir / "misclassified" / fmt::format("epoch-{}.jsonl", run.best.value("epoch", 0));
  if (!fs::exists(file)) return "";
  std::string rows;
  int n = 0, line = 0;
  for (const auto& text : split_lines(read_file(file))) {
    ++line;
    const json r = json::parse(text, nullptr, false);
    if (r.is_discarded()) throw Error(fmt::format("{}:{}: not valid JSON", file.string(), line));
    ++n;
    rows += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{:.3f}</td></tr>",
                        html_escape(r.value("sentence", "")), html_escape(r.value("label", "")),
                        html_escape(r.value("prediction", "")), r.value("confidence", 0.0));
  }
  return fmt::format(
      "<h2>Wrong predictions (epoch {}, {} sentences)</h2><table class='wrong'><tr><th>sentence"
      "</th><th>label</th><th>prediction</th><th>confidence</th></tr>{}</table>",
      run.best.value("epoch", 0), n, rows);
}

std::string artifact_rows(const fs::path& run_dir) {
  std::string rows;
  const fs::path ckpt = run_dir / "checkpoints";
  if (!fs::is_directory(ckpt)) return rows;
  std::vector<fs::path> files;
  for (const auto& e : fs::recursive_directory_iterator(ckpt)) {
    if (e.is_regular_file()) files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    const auto d = core::digest_file(f, core::DigestAlgorithm::sha256);
    rows += fmt::format("<tr><td>{}</td><td>{}</td><td><code>{}</code></td></tr>",
                        html_escape(f.lexically_relative(run_dir).string()), d.size, d.hex);
  }
  return rows;
}

std::string artifacts(const fs::path& run_dir) {
  std::string s =
      "<h2>Artifacts</h2><table class='artifacts'><tr><th>file</th><th>bytes</th>"
      "<th>sha256</th></tr>" +
      artifact_rows(run_dir) + "</table>";
  for (const auto& f : find_event_files(run_dir)) {
    size_t torn = 0;
    const auto events = read_event_file(f, &torn);  // verifies every record's CRCs
    s += fmt::format("<p>{}: {} records, all CRCs valid{}</p>", html_escape(f.filename().string()),
                     events.size(),
                     torn == 0 ? ""
                               : fmt::format("; a last record cut short by a crash ({} bytes) "
                                             "is left out, as TensorBoard leaves it",
                                             torn));
  }
  return s;
}

std::string header(const RunInfo& run) {
  std::string s =
      fmt::format("<h1>Run {}</h1><table class='summary'>", html_escape(run.dir.string()));
  const auto row = [&](const std::string& k, const std::string& v) {
    s += "<tr><th>" + html_escape(k) + "</th><td>" + html_escape(v) + "</td></tr>";
  };
  row("started", run.started);
  row("status", run.status);
  row("duration", Progress::format_duration(run.duration_seconds));
  row("epochs", std::to_string(run.epochs));
  std::string ov;
  for (const auto& o : run.overrides) ov += o + " ";
  row("overrides", ov.empty() ? "(defaults)" : ov);
  for (const char* k : {"valid/loss", "valid/acc", "valid/f1_macro", "valid/mcc"}) {
    if (run.best.is_object() && run.best.contains(k))
      row("best " + std::string(k), fmt::format("{:.4f}", run.best[k].get<double>()));
  }
  return s + "</table>";
}

}  // namespace

std::string base64_encode(const std::string& bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (size_t i = 0; i < bytes.size(); i += 3) {
    uint32_t v = static_cast<uint32_t>(static_cast<unsigned char>(bytes[i])) << 16;
    if (i + 1 < bytes.size())
      v |= static_cast<uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8;
    if (i + 2 < bytes.size()) v |= static_cast<unsigned char>(bytes[i + 2]);
    out += kAlphabet[(v >> 18) & 63U];
    out += kAlphabet[(v >> 12) & 63U];
    out += i + 1 < bytes.size() ? kAlphabet[(v >> 6) & 63U] : '=';
    out += i + 2 < bytes.size() ? kAlphabet[v & 63U] : '=';
  }
  return out;
}

std::string render_report(const fs::path& run_dir) {
  const RunInfo run = load_run(run_dir);
  std::string config = read_file(run_dir / ".hydra" / "config.yaml");
  return "<!DOCTYPE html><html><head><meta charset='utf-8'><title>cola run " +
         html_escape(run_dir.filename().string()) + "</title><style>" + kStyle +
         "</style></head><body>" + header(run) + charts(run) + confusion(run) +
         wrong_predictions(run) + "<h2>Config</h2><pre class='config'>" + html_escape(config) +
         "</pre>" + artifacts(run_dir) + "</body></html>\n";
}

fs::path write_report(const fs::path& run_dir, const fs::path& output) {
  const fs::path path = output.empty() ? run_dir / "report.html" : output;
  write_file_atomic(path, render_report(run_dir));
  return path;
}

}  // namespace cola::track

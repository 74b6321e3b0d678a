#include "track/runs_table.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>

#include "core/error.h"
#include "core/strings.h"
#include "track/progress.h"

namespace cola::track {
namespace {

// Longest operators first, so ">=" is not read as ">" followed by "=0.1".
constexpr std::array<const char*, 6> kOps = {">=", "<=", "==", "!=", ">", "<"};

bool compare(double a, const std::string& op, double b) {
  if (op == ">") return a > b;
  if (op == ">=") return a >= b;
  if (op == "<") return a < b;
  if (op == "<=") return a <= b;
  if (op == "==") return a == b;
  return a != b;
}

std::string metric_cell(const RunInfo& run, const char* key) {
  const auto v = run_metric(run, key);
  return v ? fmt::format("{:.4f}", *v) : "-";
}

std::string describe(const RunInfo& run) {
  return run.overrides.empty() ? "(defaults)" : join(run.overrides, " ");
}

}  // namespace

void check_run_key(const std::string& key) {
  static const std::vector<std::string> kKeys = {"date",
                                                 "status",
                                                 "epochs",
                                                 "duration",
                                                 "epoch",
                                                 "step",
                                                 "valid/loss",
                                                 "valid/acc",
                                                 "valid/mcc",
                                                 "valid/f1_macro",
                                                 "valid/f1_micro",
                                                 "valid/precision_macro",
                                                 "valid/recall_macro",
                                                 "valid/precision_micro",
                                                 "valid/recall_micro",
                                                 "train/epoch_loss",
                                                 "train/epoch_acc"};
  if (std::find(kKeys.begin(), kKeys.end(), key) != kKeys.end()) return;
  const auto near = closest_match(key, kKeys);
  throw UsageError(fmt::format("unknown run key '{}'{}; valid keys: {}", key,
                               near ? fmt::format(" (did you mean '{}'?)", *near) : "",
                               join(kKeys, ", ")));
}

RunFilter parse_run_filter(const std::string& text) {
  for (const char* op : kOps) {
    const auto at = text.find(op);
    if (at == std::string::npos) continue;
    RunFilter f{text.substr(0, at), op, text.substr(at + std::string_view(op).size())};
    if (f.key.empty() || f.value.empty()) break;
    check_run_key(f.key);
    if (f.key != "status" && f.key != "date") {
      size_t used = 0;
      try {
        (void)std::stod(f.value, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (used != f.value.size()) {
        throw UsageError(fmt::format("--filter '{}': '{}' is not a number", text, f.value));
      }
    } else if (f.key == "status" && f.op != "==" && f.op != "!=") {
      throw UsageError(fmt::format("--filter '{}': status compares with == or != only", text));
    }
    return f;
  }
  throw UsageError(fmt::format(
      "--filter '{}': expected KEY OP VALUE, e.g. 'valid/mcc>0.1' (OP: > >= < <= == !=)", text));
}

bool run_matches(const RunInfo& run, const RunFilter& f) {
  if (f.key == "status") return (run.status == f.value) == (f.op == "==");
  if (f.key == "date") {  // ISO dates: text order is time order, and a prefix ("2026-11") works
    const int c = run.started.compare(0, f.value.size(), f.value);
    return compare(c, f.op, 0);
  }
  const auto v = run_metric(run, f.key);
  return v && compare(*v, f.op, std::stod(f.value));
}

std::vector<RunInfo> query_runs(const RunsQuery& q) {
  std::vector<RunInfo> runs;
  for (const auto& root : q.roots) {
    for (const auto& dir : find_runs(root)) {
      auto run = load_run(dir);
      const bool keep = std::all_of(q.filters.begin(), q.filters.end(),
                                    [&](const RunFilter& f) { return run_matches(run, f); });
      if (keep) runs.push_back(std::move(run));
    }
  }
  // Text keys (date, status) compare as text; metrics as numbers. Runs without the key go last.
  const bool text_key = q.sort_key == "date" || q.sort_key == "status";
  const auto text = [&](const RunInfo& r) { return q.sort_key == "date" ? r.started : r.status; };
  std::stable_sort(runs.begin(), runs.end(), [&](const RunInfo& a, const RunInfo& b) {
    if (text_key) return q.descending ? text(b) < text(a) : text(a) < text(b);
    const auto va = run_metric(a, q.sort_key), vb = run_metric(b, q.sort_key);
    if (va.has_value() != vb.has_value()) return va.has_value();
    if (!va) return false;
    return q.descending ? *vb < *va : *va < *vb;
  });
  return runs;
}

std::string format_runs_table(const std::vector<RunInfo>& runs) {
  std::string out =
      fmt::format("{:<19}  {:<11}  {:>6}  {:>10}  {:>9}  {:>9}  {:>8}  {}\n", "date", "status",
                  "epochs", "valid/loss", "valid/acc", "valid/mcc", "duration", "run (overrides)");
  for (const auto& r : runs) {
    out += fmt::format("{:<19}  {:<11}  {:>6}  {:>10}  {:>9}  {:>9}  {:>8}  {} ({})\n", r.started,
                       r.status, r.epochs, metric_cell(r, "valid/loss"),
                       metric_cell(r, "valid/acc"), metric_cell(r, "valid/mcc"),
                       Progress::format_duration(r.duration_seconds), r.dir.string(), describe(r));
  }
  return out;
}

}  // namespace cola::track

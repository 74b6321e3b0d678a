#include "track/run_info.h"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <ctime>
#include <fstream>

#include "core/error.h"
#include "core/file.h"

namespace cola::track {
namespace fs = std::filesystem;
using nlohmann::json;
namespace {

void read_metrics(const fs::path& path, RunInfo& run) {
  if (!fs::exists(path)) return;
  const std::string text = read_file(path);
  size_t start = 0;
  for (int line = 1; start < text.size(); ++line) {
    const size_t end = text.find('\n', start);
    if (end == std::string::npos) break;  // a crash mid-write: the last line is incomplete
    const std::string_view row(text.data() + start, end - start);
    start = end + 1;
    if (row.empty()) continue;
    json record = json::parse(row, nullptr, false);
    if (record.is_discarded() || !record.is_object()) {
      throw Error(fmt::format("{}:{}: not a JSON object", path.string(), line));
    }
    if (record.contains("valid/loss") && record["valid/loss"].is_number()) {
      run.epochs = std::max(run.epochs, record.value("epoch", int64_t{0}));
      if (run.best.is_null() || record["valid/loss"] < run.best["valid/loss"]) run.best = record;
      run.validations.push_back(std::move(record));
    } else if (record.contains("train/loss")) {
      run.steps.push_back(std::move(record));
    }
  }
}

// train.log lines start with "YYYY-MM-DD HH:MM:SS.mmm" (core/log.cc's file sink pattern).
std::optional<std::tm> log_time(const std::string& line) {
  std::tm tm{};
  if (line.size() < 19 || ::strptime(line.c_str(), "%Y-%m-%d %H:%M:%S", &tm) == nullptr) {
    return std::nullopt;
  }
  return tm;
}

void read_log_times(const fs::path& path, RunInfo& run) {
  std::ifstream in(path);
  std::string line, first, last;
  while (std::getline(in, line)) {
    if (!log_time(line)) continue;
    if (first.empty()) first = line;
    last = line;
  }
  auto a = log_time(first), b = log_time(last);
  if (!a || !b) return;
  run.started = first.substr(0, 19);
  run.duration_seconds = std::difftime(std::mktime(&*b), std::mktime(&*a));
}

std::vector<std::string> read_overrides(const fs::path& path) {
  std::vector<std::string> out;
  if (!fs::exists(path)) return out;
  try {
    for (const auto& node : YAML::LoadFile(path.string())) {
      auto o = node.as<std::string>();
      if (!o.starts_with("hydra.")) out.push_back(std::move(o));
    }
  } catch (const YAML::Exception& e) {
    throw Error(fmt::format("{}:{}: {}", path.string(), e.mark.line + 1, e.msg));
  }
  return out;
}

}  // namespace

bool is_run_dir(const fs::path& dir) { return fs::is_regular_file(dir / ".hydra" / "config.yaml"); }

RunInfo load_run(const fs::path& dir) {
  if (!fs::is_directory(dir)) throw Error(dir.string() + ": no such run directory");
  if (!is_run_dir(dir)) {
    throw Error(dir.string() + ": not a run directory (no .hydra/config.yaml)");
  }
  RunInfo run;
  run.dir = dir;
  run.overrides = read_overrides(dir / ".hydra" / "overrides.yaml");
  read_metrics(dir / "metrics.jsonl", run);
  run.status = "incomplete";  // running, or killed before summary.json was written
  double train_seconds = 0;
  if (fs::exists(dir / "summary.json")) {
    const json s = json::parse(read_file(dir / "summary.json"), nullptr, false);
    if (s.is_discarded()) throw Error((dir / "summary.json").string() + ": not valid JSON");
    run.status = s.value("status", "unknown");
    train_seconds = s.value("train_seconds", 0.0);
  }
  read_log_times(dir / "train.log", run);
  if (run.started.empty()) {
    const auto t = fs::last_write_time(dir / ".hydra" / "config.yaml");
    const auto sys = std::chrono::file_clock::to_sys(t);
    run.started = fmt::format("{:%Y-%m-%d %H:%M:%S}",
                              fmt::localtime(std::chrono::system_clock::to_time_t(sys)));
    run.duration_seconds = train_seconds;
  }
  return run;
}

std::vector<fs::path> find_runs(const fs::path& root) {
  std::vector<fs::path> runs;
  if (!fs::is_directory(root)) return runs;
  if (is_run_dir(root)) return {root};
  for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator();
       ++it) {
    if (!it->is_directory()) continue;
    if (is_run_dir(it->path())) {
      runs.push_back(it->path());
      it.disable_recursion_pending();  // checkpoints/ and friends are not runs
    }
  }
  std::sort(runs.begin(), runs.end());
  return runs;
}

std::optional<double> run_metric(const RunInfo& run, const std::string& key) {
  if (key == "epochs") return static_cast<double>(run.epochs);
  if (key == "duration") return run.duration_seconds;
  if (run.best.is_object() && run.best.contains(key) && run.best[key].is_number()) {
    return run.best[key].get<double>();
  }
  return std::nullopt;
}

}  // namespace cola::track

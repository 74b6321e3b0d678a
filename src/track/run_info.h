#pragma once
// What a run directory holds, read back for `cola runs` and `cola report`. A run directory is one
// with .hydra/config.yaml (see train/trainer.h for the full layout); metrics.jsonl,
// summary.json and train.log are optional, so crashed and running runs are listed too.
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace cola::track {

struct RunInfo {
  std::filesystem::path dir;
  std::string started;                 // "YYYY-MM-DD HH:MM:SS" (train.log, else the config's mtime)
  std::vector<std::string> overrides;  // .hydra/overrides.yaml without hydra.* entries
  std::string status;                  // summary.json's (finished, interrupted, ...) or incomplete
  int64_t epochs = 0;                  // validations that ran (the largest epoch logged)
  double duration_seconds = 0;         // first to last train.log line, else summary's train time
  nlohmann::json best;                 // the validation record with the lowest valid/loss, or null
  std::vector<nlohmann::json> steps;   // metrics.jsonl records with train/loss
  std::vector<nlohmann::json> validations;  // metrics.jsonl records with valid/loss
};

/// True if `dir` looks like a run directory (.hydra/config.yaml exists).
bool is_run_dir(const std::filesystem::path& dir);

/// Reads a run directory. Throws Error for a directory that is not a run and for a malformed
/// file, naming the file and line (an unterminated last metrics line, from a crash, is skipped).
RunInfo load_run(const std::filesystem::path& dir);

/// Every run directory under `root` (recursively; runs are not searched inside runs), sorted.
std::vector<std::filesystem::path> find_runs(const std::filesystem::path& root);

/// A metric of a run for sorting and filtering: "valid/mcc" (any key of the best validation),
/// "epochs", "duration". nullopt when the run does not have it.
std::optional<double> run_metric(const RunInfo& run, const std::string& key);

}  // namespace cola::track

#pragma once
// The files of a run directory that are not checkpoints: Hydra's record of the config, the
// misclassified sentences, summary.json, and the final table on stdout.
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "data/example.h"
#include "train/evaluate.h"
#include "train/trainer.h"

namespace cola::train {

/// .hydra/config.yaml and .hydra/overrides.yaml.
void write_hydra_files(const std::filesystem::path& run_dir, const std::string& resolved_yaml,
                       const std::vector<std::string>& overrides);

/// The confusion matrix as counts[truth][prediction].
std::vector<std::vector<int64_t>> confusion_counts(const Evaluation& ev);

/// The metrics of a validation as a metrics.jsonl record ("valid/loss", "valid/mcc", ...).
nlohmann::json validation_record(const EpochResult& r, const Evaluation& ev);

/// For a run continued in place from a checkpoint at `step`: rewrites metrics.jsonl (atomically)
/// without the records logged after that step, which the killed process logged past its last
/// checkpoint and which are trained again, and returns the validations it keeps, in order.
std::vector<EpochResult> rewind_metrics(const std::filesystem::path& run_dir, int64_t step);

/// misclassified/epoch-<n>.jsonl: sentence, label, prediction, confidence.
void write_misclassified(const std::filesystem::path& run_dir, int64_t epoch, const Evaluation& ev,
                         const std::vector<data::Example>& sentences,
                         const std::vector<std::string>& labels);

/// summary.json.
void write_summary(const TrainResult& result, const std::string& status);

/// checkpoints/<name>.manifest.json beside each checkpoint the run wrote (sha256 and size of every
/// file, the config's hash, the data files' sha256, the code version, the best metrics), and a
/// DVC 3 `.dvc` file beside each when `dvc` is set. Written once at the end: hashing a bert-base
/// checkpoint takes seconds.
void write_checkpoint_manifests(const TrainResult& result, const TrainRequest& request, bool dvc);

}  // namespace cola::train

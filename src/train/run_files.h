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

/// The metrics of a validation as a metrics.jsonl record ("valid/loss", "valid/mcc", ...).
nlohmann::json validation_record(const EpochResult& r, const Evaluation& ev);

/// misclassified/epoch-<n>.jsonl: sentence, label, prediction, confidence.
void write_misclassified(const std::filesystem::path& run_dir, int64_t epoch, const Evaluation& ev,
                         const std::vector<data::Example>& sentences,
                         const std::vector<std::string>& labels);

/// summary.json.
void write_summary(const TrainResult& result, const std::string& status);

}  // namespace cola::train

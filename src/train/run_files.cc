#include "train/run_files.h"

#include <fmt/format.h>

#include "core/file.h"
#include "track/dvc.h"
#include "track/manifest.h"
#include "track/progress.h"

namespace cola::train {
namespace fs = std::filesystem;

void write_hydra_files(const fs::path& run_dir, const std::string& resolved_yaml,
                       const std::vector<std::string>& overrides) {
  write_file_atomic(run_dir / ".hydra" / "config.yaml", resolved_yaml);
  std::string text;
  for (const auto& o : overrides) text += fmt::format("- {}\n", nlohmann::json(o).dump());
  write_file_atomic(run_dir / ".hydra" / "overrides.yaml", text.empty() ? "[]\n" : text);
}

std::vector<std::vector<int64_t>> confusion_counts(const Evaluation& ev) {
  std::vector<std::vector<int64_t>> cm;
  for (int t = 0; t < ev.confusion.num_labels(); ++t) {
    cm.emplace_back();
    for (int p = 0; p < ev.confusion.num_labels(); ++p) cm.back().push_back(ev.confusion.at(t, p));
  }
  return cm;
}

nlohmann::json validation_record(const EpochResult& r, const Evaluation& ev) {
  const auto& m = r.valid;
  const auto cm = confusion_counts(ev);
  return {{"epoch", r.epoch},
          {"step", r.step},
          {"train/epoch_loss", r.train_loss},
          {"train/epoch_acc", r.train_acc},
          {"valid/loss", r.valid_loss},
          {"valid/acc", m.accuracy},
          {"valid/precision_macro", m.precision_macro},
          {"valid/recall_macro", m.recall_macro},
          {"valid/f1_macro", m.f1_macro},
          {"valid/precision_micro", m.precision_micro},
          {"valid/recall_micro", m.recall_micro},
          {"valid/f1_micro", m.f1_micro},
          {"valid/mcc", m.mcc},
          {"valid/confusion_matrix", cm}};
}

void write_misclassified(const fs::path& run_dir, int64_t epoch, const Evaluation& ev,
                         const std::vector<data::Example>& sentences,
                         const std::vector<std::string>& labels) {
  std::string text;
  for (const auto& e : ev.errors) {
    const auto& ex = sentences[static_cast<size_t>(e.row)];
    text += nlohmann::json{{"line", ex.line},
                           {"sentence", ex.sentence},
                           {"label", labels[static_cast<size_t>(e.label)]},
                           {"prediction", labels[static_cast<size_t>(e.prediction)]},
                           {"confidence", e.confidence}}
                .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) +
            "\n";
  }
  write_file_atomic(run_dir / "misclassified" / fmt::format("epoch-{}.jsonl", epoch), text);
}

namespace {

nlohmann::json best_metrics(const TrainResult& result) {
  if (!result.best) return nlohmann::json::object();
  return {{"epoch", result.best->epoch},
          {"valid/loss", result.best->valid_loss},
          {"valid/acc", result.best->valid.accuracy},
          {"valid/f1_macro", result.best->valid.f1_macro},
          {"valid/mcc", result.best->valid.mcc}};
}

}  // namespace

void write_summary(const TrainResult& result, const std::string& status) {
  nlohmann::json j{
      {"status", status},
      {"steps", result.steps},
      {"epochs_run", result.epochs.size()},
      {"early_stopped", result.early_stopped},
      {"train_seconds", result.train_seconds},
      {"train_sentences_per_second",
       result.train_seconds > 0 ? static_cast<double>(result.train_sentences) / result.train_seconds
                                : 0.0},
      {"best_checkpoint", result.best_checkpoint.string()},
      {"last_checkpoint", result.last_checkpoint.string()}};
  if (result.best) j["best"] = best_metrics(result);
  write_file_atomic(result.run_dir / "summary.json", j.dump(2) + "\n");
}

void write_checkpoint_manifests(const TrainResult& result, const TrainRequest& request, bool dvc) {
  const auto& data = request.config.data;
  track::ManifestInfo info;
  info.config_yaml = request.resolved_yaml;
  info.data_files.push_back(fs::path(data.dir) / data.train_file);
  if (!data.valid_file.empty()) info.data_files.push_back(fs::path(data.dir) / data.valid_file);
  info.metrics = best_metrics(result);
  info.code_version = request.code_version;
  for (const auto& dir : {result.best_checkpoint, result.last_checkpoint}) {
    if (dir.empty() || !fs::exists(dir)) continue;
    track::write_manifest(dir, info);
    if (dvc) track::write_dvc_file(dir);
  }
}

}  // namespace cola::train

#include "train/run_files.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <string_view>

#include "core/error.h"
#include "core/file.h"
#include "track/dvc.h"
#include "track/manifest.h"
#include "track/progress.h"

namespace cola::train {
namespace fs = std::filesystem;
namespace {

// A metric as validation_record wrote it: null (a non-finite value) or absent reads as NaN.
double metric(const nlohmann::json& record, const char* key) {
  const auto it = record.find(key);
  return it == record.end() || it->is_null() ? std::nan("") : it->get<double>();
}

// validation_record's inverse.
EpochResult epoch_result(const nlohmann::json& record) {
  EpochResult r;
  r.epoch = record.at("epoch").get<int64_t>();
  r.step = record.at("step").get<int64_t>();
  r.train_loss = metric(record, "train/epoch_loss");
  r.train_acc = metric(record, "train/epoch_acc");
  r.valid_loss = metric(record, "valid/loss");
  auto& m = r.valid;
  m.accuracy = metric(record, "valid/acc");
  m.precision_macro = metric(record, "valid/precision_macro");
  m.recall_macro = metric(record, "valid/recall_macro");
  m.f1_macro = metric(record, "valid/f1_macro");
  m.precision_micro = metric(record, "valid/precision_micro");
  m.recall_micro = metric(record, "valid/recall_micro");
  m.f1_micro = metric(record, "valid/f1_micro");
  m.mcc = metric(record, "valid/mcc");
  return r;
}

}  // namespace

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

std::vector<EpochResult> rewind_metrics(const fs::path& run_dir, int64_t step) {
  const fs::path file = run_dir / "metrics.jsonl";
  std::vector<EpochResult> validations;
  if (!fs::exists(file)) return validations;
  const std::string text = read_file(file);
  std::string kept;
  size_t line_number = 0;
  for (size_t begin = 0; begin < text.size();) {
    const size_t end = std::min(text.find('\n', begin), text.size());
    const std::string_view line(text.data() + begin, end - begin);
    begin = end + 1;
    ++line_number;
    // A torn last line (the process killed mid-write) is dropped with the rest of the future.
    const auto record = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (record.is_discarded() || !record.is_object() || !record.contains("step")) {
      if (end == text.size()) break;
      throw Error(fmt::format("{}:{}: not a metrics record", file.string(), line_number));
    }
    if (!record.at("step").is_number_integer()) {
      throw Error(fmt::format("{}:{}: \"step\" is not an integer", file.string(), line_number));
    }
    if (record.at("step").get<int64_t>() > step) continue;
    kept.append(line).push_back('\n');
    if (!record.contains("valid/loss")) continue;
    try {
      validations.push_back(epoch_result(record));
    } catch (const nlohmann::json::exception& e) {
      throw Error(fmt::format("{}:{}: {}", file.string(), line_number, e.what()));
    }
  }
  write_file_atomic(file, kept);
  return validations;
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
  if (result.world_size > 1) {
    const auto steps = static_cast<double>(std::max<size_t>(1, result.step_losses.size()));
    j["distributed"] = {
        {"world_size", result.world_size},
        {"allreduce_seconds_per_step", result.allreduce_seconds / steps},
        {"allreduce_bytes_per_step", static_cast<double>(result.allreduce_bytes) / steps},
        {"sparse_embedding_steps", result.sparse_embedding_steps}};
  }
  j["train_steps_per_second"] =
      result.train_seconds > 0
          ? static_cast<double>(result.step_losses.size()) / result.train_seconds
          : 0.0;
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

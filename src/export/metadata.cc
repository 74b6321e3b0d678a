#include "export/metadata.h"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/digest.h"
#include "core/error.h"
#include "core/file.h"

namespace cola::exporter {
namespace fs = std::filesystem;
namespace {

using Json = nlohmann::ordered_json;  // keeps id2label in id order ("10" after "9")

// A JSON file that may be absent or unreadable: metrics are a bonus, never a reason to fail.
std::optional<Json> try_read_json(const fs::path& path) {
  if (!fs::is_regular_file(path)) return std::nullopt;
  Json json = Json::parse(read_file(path), nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) return std::nullopt;
  return json;
}

bool same_directory(const fs::path& a, const fs::path& b) {
  std::error_code ec;
  return fs::equivalent(a, b, ec) && !ec;
}

// The metrics.jsonl validation record written at `step`, the last one if resumed runs repeated it.
std::optional<Json> validation_at_step(const fs::path& metrics_path, int64_t step) {
  std::ifstream in(metrics_path);
  std::optional<Json> found;
  std::string line;
  while (std::getline(in, line)) {
    Json record = Json::parse(line, nullptr, false);
    if (record.is_object() && record.contains("valid/loss") && record.value("step", -1) == step) {
      found = std::move(record);
    }
  }
  return found;
}

}  // namespace

CheckpointHash hash_checkpoint(const std::vector<std::pair<std::string, fs::path>>& files) {
  CheckpointHash hash;
  for (const auto& [name, path] : files) {
    hash.files += fmt::format("{}  {}\n", sha256_file(path), name);
  }
  hash.sha256 = sha256_hex(hash.files);
  return hash;
}

std::optional<std::string> training_metrics(const fs::path& dir) {
  // A `cola train` checkpoint lives at <run>/checkpoints/<best|last>.
  const fs::path run_dir = dir.lexically_normal().parent_path().parent_path();
  if (const auto summary = try_read_json(run_dir / "summary.json")) {
    const Json best_dir = summary->value("best_checkpoint", Json());
    if (summary->contains("best") && best_dir.is_string() &&
        same_directory(best_dir.get<std::string>(), dir)) {
      return summary->at("best").dump();
    }
  }
  const auto state = try_read_json(dir / "trainer_state.json");
  if (!state || !state->contains("step")) return std::nullopt;
  const auto record = validation_at_step(run_dir / "metrics.jsonl", state->value("step", -1));
  if (!record) return std::nullopt;
  return record->dump();
}

Metadata checkpoint_metadata(const checkpoint::CheckpointSource& source,
                             const spec::BertConfig& config) {
  const fs::path& vocab_path = source.vocab_path;
  if (!fs::is_regular_file(vocab_path)) {
    throw Error(vocab_path.string() + ": missing (the exported model carries the vocabulary)");
  }
  std::string vocab = read_file(vocab_path);
  const auto tokens = std::count(vocab.begin(), vocab.end(), '\n') +
                      (vocab.empty() || vocab.back() == '\n' ? 0 : 1);
  if (tokens > config.vocab_size) {
    throw Error(
        fmt::format("{}: {} tokens, but config.json's vocab_size is {}: ids past {} would "
                    "index outside the embedding table",
                    vocab_path.string(), tokens, config.vocab_size, config.vocab_size - 1));
  }
  Json id2label = Json::object();
  for (size_t i = 0; i < config.id2label.size(); ++i) {
    id2label[std::to_string(i)] = config.id2label[i];
  }
  const CheckpointHash hash = hash_checkpoint(source.identity_files());
  Metadata meta = {
      {kMetaId2Label, id2label.dump()},   {kMetaTokenizer, source.tokenizer.to_json()},
      {kMetaVocab, std::move(vocab)},     {kMetaCheckpointSha256, hash.sha256},
      {kMetaCheckpointFiles, hash.files}, {kMetaCheckpointKind, source.description},
  };
  // Only a `cola train` run directory has metrics to carry.
  if (fs::is_directory(source.reference)) {
    if (auto metrics = training_metrics(source.reference)) {
      meta.emplace_back(kMetaValidationMetrics, *metrics);
    }
  }
  meta.emplace_back(kMetaColaVersion, COLA_VERSION);
  return meta;
}

}  // namespace cola::exporter

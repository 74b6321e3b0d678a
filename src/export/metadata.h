#pragma once
// What makes an exported file self-contained: the labels, the tokenizer and its vocabulary, where
// the weights came from and how well they did, as ModelProto.metadata_props. With only the .onnx
// file, `cola predict` can tokenize and label.
#include <filesystem>
#include <optional>
#include <string>

#include "checkpoint/checkpoint_source.h"
#include "export/onnx_builder.h"
#include "spec/bert_config.h"
#include "spec/names.h"

namespace cola::exporter {

// Metadata keys (a contract with the readers of the file: keep them stable).
// The keys the runtime reads are in the torch-free naming table (spec/names.h).
using spec::names::kMetaId2Label;
using spec::names::kMetaTokenizer;
using spec::names::kMetaVocab;
inline constexpr char kMetaCheckpointSha256[] = "source_checkpoint_sha256";
inline constexpr char kMetaCheckpointFiles[] = "source_checkpoint_files";  // sha256sum lines
inline constexpr char kMetaCheckpointKind[] = "source_checkpoint_kind";    // "a Lightning ..."
inline constexpr char kMetaValidationMetrics[] = "validation_metrics";     // JSON, if trained
inline constexpr char kMetaColaVersion[] = "cola_version";

/// sha256sum-style lines ("<hex>  <name>") for the checkpoint's files, sorted by name, and the
/// sha256 of that text: one hash for the checkpoint that any sha256sum can re-derive.
struct CheckpointHash {
  std::string files;
  std::string sha256;
};
/// Hashes `files` (name, path), as CheckpointSource::identity_files lists them, streaming each.
CheckpointHash hash_checkpoint(
    const std::vector<std::pair<std::string, std::filesystem::path>>& files);

/// The validation metrics of the training run that wrote the checkpoint at `dir`, as JSON:
/// summary.json's "best" record when `dir` is that run's best checkpoint, else the metrics.jsonl
/// validation record at the step in `dir`/trainer_state.json. nullopt when neither exists (a
/// checkpoint not made by `cola train`).
std::optional<std::string> training_metrics(const std::filesystem::path& dir);

/// Every metadata entry for a checkpoint, in a fixed order: its labels (`config`, as built), its
/// tokenizer settings and vocabulary, the hash of its files and what kind of file it was, and
/// the training metrics when it is a `cola train` checkpoint directory.
Metadata checkpoint_metadata(const checkpoint::CheckpointSource& source,
                             const spec::BertConfig& config);

}  // namespace cola::exporter

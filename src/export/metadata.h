#pragma once
// What makes an exported file self-contained: the labels, the tokenizer and its vocabulary, where
// the weights came from and how well they did, as ModelProto.metadata_props. With only the .onnx
// file, `cola predict` can tokenize and label.
#include <filesystem>
#include <optional>
#include <string>

#include "export/onnx_builder.h"
#include "model/bert_config.h"
#include "model/names.h"

namespace cola::exporter {

// Metadata keys (a contract with the readers of the file: keep them stable).
// The keys the runtime reads are in the torch-free naming table (model/names.h).
using model::names::kMetaId2Label;
using model::names::kMetaTokenizer;
using model::names::kMetaVocab;
inline constexpr char kMetaCheckpointSha256[] = "source_checkpoint_sha256";
inline constexpr char kMetaCheckpointFiles[] = "source_checkpoint_files";  // sha256sum lines
inline constexpr char kMetaValidationMetrics[] = "validation_metrics";     // JSON, if trained
inline constexpr char kMetaColaVersion[] = "cola_version";

/// sha256sum-style lines ("<hex>  <name>") for the checkpoint's model files, sorted by name, and
/// the sha256 of that text: one hash for the checkpoint that any sha256sum can re-derive.
struct CheckpointHash {
  std::string files;
  std::string sha256;
};
CheckpointHash hash_checkpoint(const std::filesystem::path& dir);

/// The validation metrics of the training run that wrote the checkpoint at `dir`, as JSON:
/// summary.json's "best" record when `dir` is that run's best checkpoint, else the metrics.jsonl
/// validation record at the step in `dir`/trainer_state.json. nullopt when neither exists (a
/// checkpoint not made by `cola train`).
std::optional<std::string> training_metrics(const std::filesystem::path& dir);

/// Every metadata entry for a checkpoint directory, in a fixed order.
Metadata checkpoint_metadata(const std::filesystem::path& dir, const model::BertConfig& config,
                             const model::TokenizerConfig& tokenizer,
                             const std::filesystem::path& vocab_path);

}  // namespace cola::exporter

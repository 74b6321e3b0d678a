#pragma once
// Checkpoint directories in the Hugging Face layout, so that `transformers` can load what we write
// (BertForSequenceClassification.from_pretrained(dir)) and we can start from what it writes:
//   config.json            BertConfig (model_type "bert", id2label, architectures...)
//   model.safetensors      F32 weights under the names of spec/names.h
//   vocab.txt              the WordPiece vocabulary, one token a line
//   tokenizer_config.json  BertTokenizer settings
// plus whatever the caller adds (the trainer's trainer_state.json...). Loading also takes what the
// PyTorch world writes (checkpoint/checkpoint_source.h): pytorch_model.bin, shards, Lightning .ckpt
// files and Hub ids.
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "checkpoint/checkpoint_source.h"
#include "model/bert.h"
#include "spec/bert_config.h"

namespace cola::model {

/// Writes extra files into the checkpoint; called with the temporary directory, before it is
/// moved into place (so the extras are part of the same atomic replacement).
using ExtraFiles = std::function<void(const std::filesystem::path& temp_dir)>;

/// Saves `model` (its weights and its config()) as a checkpoint directory at `dir`, with a copy of
/// `vocab_path`. Atomic for the whole directory: built under a hidden sibling, fsynced, then
/// swapped into place, replacing an existing `dir`. Throws Error with context on failure, leaving
/// `dir` as it was.
void save_checkpoint(const std::filesystem::path& dir,
                     const BertForSequenceClassificationImpl& model,
                     const std::filesystem::path& vocab_path,
                     const spec::TokenizerConfig& tokenizer, const ExtraFiles& extra = {});

struct LoadOptions {
  /// Where the config and labels come from when not from the checkpoint itself (--config,
  /// --labels).
  checkpoint::SourceOptions source;
  /// Edits the checkpoint's config before the model is built. A trainer starting from a pretrained
  /// checkpoint sets its own labels (id2label) and dropouts here. Null: config.json as is.
  std::function<void(spec::BertConfig&)> adjust_config;
  /// true: a checkpoint without a classifier head loads with a fresh one (training from a
  /// pretrained encoder); false: that is an error (export and prediction need the trained head).
  bool allow_missing_head = false;
  /// true: NaN and infinite weights load as they are (PlanOptions::allow_non_finite).
  bool allow_non_finite = false;
};

/// A loaded checkpoint.
struct Checkpoint {
  spec::BertConfig config;                       // as built (after LoadOptions::adjust_config)
  BertForSequenceClassification model{nullptr};  // in eval mode; call model->train() to train
  spec::TokenizerConfig tokenizer;               // defaults when tokenizer_config.json is absent
  std::filesystem::path vocab_path;              // vocab.txt (not checked here)
  checkpoint::CheckpointSource source;           // where it came from (its weights released)
  std::vector<std::string> notes;                // what loading adapted; each logged as a warning
};

/// Loads a checkpoint: a directory (ours or Hugging Face's), a weights file, a Lightning .ckpt or
/// a Hub id (see checkpoint/checkpoint_source.h), and load_weights (model/weights.h) for which name
/// differences are tolerated. Errors are prefixed with "loading checkpoint <reference>".
Checkpoint load_checkpoint(const std::string& reference, const LoadOptions& options = {});

}  // namespace cola::model

#pragma once
// Checkpoint directories in the Hugging Face layout, so that `transformers` can load what we write
// (BertForSequenceClassification.from_pretrained(dir)) and we can start from what it writes:
//   config.json            BertConfig (model_type "bert", id2label, architectures...)
//   model.safetensors      F32 weights under the names of model/names.h
//   vocab.txt              the WordPiece vocabulary, one token a line
//   tokenizer_config.json  BertTokenizer settings
// plus whatever the caller adds (the trainer's trainer_state.json...).
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "model/bert.h"
#include "model/bert_config.h"

namespace cola::model {

inline constexpr char kConfigFile[] = "config.json";
inline constexpr char kWeightsFile[] = "model.safetensors";
inline constexpr char kVocabFile[] = "vocab.txt";
inline constexpr char kTokenizerConfigFile[] = "tokenizer_config.json";

/// Writes extra files into the checkpoint; called with the temporary directory, before it is
/// moved into place (so the extras are part of the same atomic replacement).
using ExtraFiles = std::function<void(const std::filesystem::path& temp_dir)>;

/// Saves `model` (its weights and its config()) as a checkpoint directory at `dir`, with a copy of
/// `vocab_path`. Atomic for the whole directory: built under a hidden sibling, fsynced, then
/// swapped into place, replacing an existing `dir`. Throws Error with context on failure, leaving
/// `dir` as it was.
void save_checkpoint(const std::filesystem::path& dir,
                     const BertForSequenceClassificationImpl& model,
                     const std::filesystem::path& vocab_path, const TokenizerConfig& tokenizer,
                     const ExtraFiles& extra = {});

struct LoadOptions {
  /// Edits the checkpoint's config before the model is built. A trainer starting from a pretrained
  /// checkpoint sets its own labels (id2label) and dropouts here. Null: config.json as is.
  std::function<void(BertConfig&)> adjust_config;
};

/// A loaded checkpoint directory.
struct Checkpoint {
  BertConfig config;                             // as built (after LoadOptions::adjust_config)
  BertForSequenceClassification model{nullptr};  // in eval mode; call model->train() to train
  TokenizerConfig tokenizer;                     // defaults when tokenizer_config.json is absent
  std::filesystem::path vocab_path;              // <dir>/vocab.txt (not checked here)
  std::vector<std::string> notes;                // what loading adapted; each logged as a warning
};

/// Loads a checkpoint directory (ours or Hugging Face's). See load_weights (model/weights.h) for
/// which differences are tolerated. Errors are prefixed with "loading checkpoint <dir>".
Checkpoint load_checkpoint(const std::filesystem::path& dir, const LoadOptions& options = {});

}  // namespace cola::model

#pragma once
// A checkpoint as users of the PyTorch world have it, found and read without LibTorch:
//   a Hugging Face directory: config.json, vocab.txt, tokenizer_config.json and the weights as
//     model.safetensors, a sharded model.safetensors.index.json, pytorch_model.bin (zip or
//     legacy torch.save) or a sharded pytorch_model.bin.index.json, in that order of preference
//     (transformers' own);
//   a single weights file (.safetensors, or a torch.save file such as pytorch_model.bin), its
//     config.json beside it;
//   a Lightning .ckpt: weights only, so the config and tokenizer files come from `config`, or
//     else from its hyper_parameters.model_name (a directory, or a Hub id resolved through the
//     cache) as the LightningModule's from_pretrained(model_name) does;
//   a Hugging Face Hub id, "org/name" or "org/name@revision", that is not an existing path
//     (hub/download.h: the shared huggingface_hub cache, HF_HUB_OFFLINE...).
// Google's original config.json (no model_type, layer_norm_eps, pad_token_id or labels) gets
// BertConfig's defaults; labels come from id2label, else from `labels`, else LABEL_0, LABEL_1...
// as transformers names them, with a note.
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "checkpoint/stored_tensor.h"
#include "spec/bert_config.h"

namespace cola::checkpoint {

// A Hugging Face checkpoint directory's files (the ones `cola train` writes first).
inline constexpr char kConfigFile[] = "config.json";
inline constexpr char kWeightsFile[] = "model.safetensors";
inline constexpr char kVocabFile[] = "vocab.txt";
inline constexpr char kTokenizerConfigFile[] = "tokenizer_config.json";
inline constexpr char kSafetensorsIndexFile[] = "model.safetensors.index.json";
inline constexpr char kTorchWeightsFile[] = "pytorch_model.bin";
inline constexpr char kTorchIndexFile[] = "pytorch_model.bin.index.json";

struct SourceOptions {
  /// --config / model.config=: a config.json, a directory holding config.json (and vocab.txt,
  /// tokenizer_config.json), or a Hub id. Empty: the checkpoint's own (or, for a Lightning
  /// checkpoint, its hyper_parameters.model_name).
  std::string config = {};
  /// --labels: the classifier's output names, replacing config.json's id2label. Empty: keep it.
  std::vector<std::string> labels = {};
  /// Whether the weights are needed (false: the config, tokenizer and vocab only).
  bool read_weights = true;
};

/// A checkpoint's parts, found and read.
struct CheckpointSource {
  std::string reference;                 // as given (a path or a Hub id)
  std::string description;               // what it is: "a Lightning checkpoint (zip)"...
  spec::BertConfig config;               // labels resolved as described above
  spec::TokenizerConfig tokenizer;       // defaults when there is no tokenizer_config.json
  std::filesystem::path config_path;     // the config.json read
  std::filesystem::path vocab_path;      // vocab.txt beside it (not checked to exist)
  std::filesystem::path tokenizer_path;  // tokenizer_config.json, or empty
  std::vector<std::filesystem::path> weight_files;  // the file, or every shard and its index
  Weights weights;                                  // names as stored; plan_weights maps them
  std::vector<std::string> notes;                   // what loading adapted, one line each

  /// The files that identify the checkpoint, by the name they go under in a hash listing
  /// (sha256sum style): the config, tokenizer config and vocab that exist, and the weights.
  std::vector<std::pair<std::string, std::filesystem::path>> identity_files() const;
};

/// Finds and reads a checkpoint. Errors name the reference and the fault ("REF: no such file or
/// directory, and not a Hub id"; "DIR: no weights: expected ... (it holds ...)"; the reader's
/// own). The notes are also logged as warnings.
CheckpointSource open_checkpoint_source(const std::string& reference,
                                        const SourceOptions& options = {});

}  // namespace cola::checkpoint

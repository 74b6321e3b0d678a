#pragma once
// `cola convert`: any checkpoint open_checkpoint_source reads (pytorch_model.bin, a Lightning
// .ckpt, shards, a Hub id) written out as a standard Hugging Face safetensors directory:
// config.json (with model_type), vocab.txt, tokenizer_config.json and model.safetensors under
// BertForSequenceClassification's names, for users who want to leave pickles behind. Torch-free:
// tensors go from the mapped source to the new file in their stored dtype, without LibTorch and
// without a copy of the weights in memory.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "checkpoint/checkpoint_source.h"

namespace cola::checkpoint {

struct ConvertResult {
  std::filesystem::path output;    // the directory written
  std::string description;         // what the source was
  int64_t tensors = 0;             // tensors written
  uint64_t weight_bytes = 0;       // size of model.safetensors
  bool head_missing = false;       // the source had no classifier head (a pretrained encoder)
  std::vector<std::string> notes;  // what reading the source adapted
};

/// Converts `reference` into a new directory `output`, atomically. Refuses (UsageError) an
/// `output` that is the source's own directory, or a non-empty directory unless `overwrite`.
/// Errors as open_checkpoint_source and plan_weights give them; a missing vocab.txt is an error.
ConvertResult convert_checkpoint(const std::string& reference, const std::filesystem::path& output,
                                 const SourceOptions& options, bool overwrite = false);

}  // namespace cola::checkpoint

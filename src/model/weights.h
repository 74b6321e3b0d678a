#pragma once
// Between safetensors files (model/safetensors.h, torch-free) and LibTorch tensors, and loading a
// model's parameters by their Hugging Face names.
#include <torch/types.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "model/bert.h"
#include "model/safetensors.h"

namespace cola::model {

using NamedTensors = std::map<std::string, torch::Tensor>;

/// One tensor of a file as a new CPU tensor: floating dtypes (F32, F16, BF16, F64) become float32,
/// I64 stays int64; other dtypes throw Error naming the tensor.
torch::Tensor to_tensor(const safetensors::File& file, const safetensors::TensorInfo& info);

/// Every tensor of a safetensors file by name (see to_tensor).
NamedTensors read_tensors(const std::filesystem::path& path);

/// Writes tensors (any device) atomically: floating ones as F32, int64 as I64, names sorted.
void write_tensors(const std::filesystem::path& path, const NamedTensors& tensors,
                   const std::map<std::string, std::string>& metadata = {});

/// The model's parameters and buffers by Hugging Face name (views of the live tensors).
NamedTensors state_dict(const torch::nn::Module& model);

/// Copies a checkpoint's tensors into `model` by name and returns notes on what it had to adapt
/// (each also logged as a warning). Tolerated, with a note: no classifier head (initialised
/// fresh), pretraining heads "cls.*" (ignored), LayerNorm "gamma"/"beta" names, a bare BertModel
/// checkpoint without the "bert." prefix. Silently ignored: names::kIgnoredBuffers. Anything else
/// missing or unexpected, or a shape or dtype mismatch, throws Error naming the tensor.
std::vector<std::string> load_weights(BertForSequenceClassificationImpl& model,
                                      const safetensors::File& file);

}  // namespace cola::model

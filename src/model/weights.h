#pragma once
// Between stored tensors (checkpoint/stored_tensor.h, torch-free: safetensors and torch.save files)
// and LibTorch tensors, and loading a model's parameters by their Hugging Face names.
#include <torch/types.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "checkpoint/stored_tensor.h"
#include "checkpoint/weight_plan.h"
#include "model/bert.h"

namespace cola::model {

using NamedTensors = std::map<std::string, torch::Tensor>;

/// One stored tensor as a new CPU tensor: floating dtypes (F32, F16, BF16, F64) become float32,
/// integer ones int64; other dtypes throw Error naming the tensor.
torch::Tensor to_tensor(const checkpoint::StoredTensor& tensor);

/// Every tensor of a safetensors file by name (see to_tensor).
NamedTensors read_tensors(const std::filesystem::path& path);

/// Writes tensors (any device) atomically: floating ones as F32, int64 as I64, names sorted.
void write_tensors(const std::filesystem::path& path, const NamedTensors& tensors,
                   const std::map<std::string, std::string>& metadata = {});

/// The model's parameters and buffers by Hugging Face name (views of the live tensors).
NamedTensors state_dict(const torch::nn::Module& model);

/// Copies a checkpoint's tensors into `model` as plan_weights (checkpoint/weight_plan.h) maps them,
/// straight into the parameters' memory, dropping each tensor's pages of the file once copied
/// (peak memory stays near the model's size). Names and shapes are checked before the model
/// changes; values as they are copied (options.allow_non_finite), so a non-finite one leaves the
/// model part-loaded: discard it.
/// A missing head (with options.allow_missing_head) is initialised fresh. Returns what was
/// adapted, one note a line, each also logged as a warning.
std::vector<std::string> load_weights(BertForSequenceClassificationImpl& model,
                                      const checkpoint::Weights& weights,
                                      const checkpoint::PlanOptions& options = {});
/// load_weights with the plan already made (plan_weights(model.config(), weights, options)),
/// for a caller that checked it before building the model.
std::vector<std::string> load_weights(BertForSequenceClassificationImpl& model,
                                      const checkpoint::Weights& weights,
                                      const checkpoint::WeightPlan& plan,
                                      const checkpoint::PlanOptions& options);

}  // namespace cola::model

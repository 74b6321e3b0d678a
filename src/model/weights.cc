#include "model/weights.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <span>

#include "checkpoint/safetensors.h"
#include "core/error.h"
#include "core/log.h"
#include "spec/names.h"

namespace cola::model {

namespace st = checkpoint::safetensors;

torch::Tensor to_tensor(const checkpoint::StoredTensor& tensor) {
  const bool floating = tensor.dtype == spec::DType::kF32 || tensor.dtype == spec::DType::kF16 ||
                        tensor.dtype == spec::DType::kBF16 || tensor.dtype == spec::DType::kF64;
  auto t = torch::empty(tensor.shape, floating ? torch::kFloat : torch::kLong);
  const auto n = static_cast<size_t>(t.numel());
  if (floating) {
    read_f32(tensor, std::span<float>(t.data_ptr<float>(), n));
  } else {
    read_i64(tensor, std::span<int64_t>(t.data_ptr<int64_t>(), n));
  }
  return t;
}

NamedTensors read_tensors(const std::filesystem::path& path) {
  const auto weights = st::File::read(path).weights();
  NamedTensors tensors;
  for (const auto& t : weights.tensors) tensors.emplace(t.name, to_tensor(t));
  return tensors;
}

void write_tensors(const std::filesystem::path& path, const NamedTensors& tensors,
                   const std::map<std::string, std::string>& metadata) {
  std::vector<torch::Tensor> keep;  // owns the CPU copies that the views below point into
  std::vector<st::TensorView> views;
  for (const auto& [name, tensor] : tensors) {
    const bool is_int = tensor.scalar_type() == torch::kLong;
    if (!is_int && !tensor.is_floating_point()) {
      throw Error(fmt::format("{}: tensor '{}': dtype {} cannot be saved (floating or int64 only)",
                              path.string(), name, c10::toString(tensor.scalar_type())));
    }
    auto cpu = tensor.detach().to(torch::kCPU, is_int ? torch::kLong : torch::kFloat).contiguous();
    views.push_back({name, is_int ? spec::DType::kI64 : spec::DType::kF32, cpu.sizes().vec(),
                     std::string_view(static_cast<const char*>(cpu.data_ptr()), cpu.nbytes())});
    keep.push_back(std::move(cpu));
  }
  st::write(path, std::move(views), metadata);
}

NamedTensors state_dict(const torch::nn::Module& model) {
  NamedTensors tensors;
  for (const auto& item : model.named_parameters(/*recurse=*/true)) {
    tensors.emplace(item.key(), item.value());
  }
  for (const auto& item : model.named_buffers(/*recurse=*/true)) {
    tensors.emplace(item.key(), item.value());
  }
  return tensors;
}

namespace {

// Error naming the first NaN or infinity of `t` by its multi-index.
void check_finite(const torch::Tensor& t, const std::string& name, const std::string& source) {
  const auto bad = torch::isfinite(t).logical_not().reshape(-1);
  if (!bad.any().item<bool>()) return;
  const int64_t flat = bad.nonzero()[0][0].item<int64_t>();
  const float value = t.reshape(-1)[flat].item<float>();
  std::vector<int64_t> index(static_cast<size_t>(t.dim()));
  int64_t rest = flat;
  for (int64_t d = t.dim() - 1; d >= 0; --d) {
    index[static_cast<size_t>(d)] = rest % t.size(d);
    rest /= t.size(d);
  }
  throw Error(
      fmt::format("{}: tensor '{}' has a non-finite value ({}) at [{}]; --allow-non-finite "
                  "loads it anyway",
                  source, name, value, fmt::join(index, ", ")));
}

}  // namespace

std::vector<std::string> load_weights(BertForSequenceClassificationImpl& model,
                                      const checkpoint::Weights& weights,
                                      const checkpoint::PlanOptions& options) {
  return load_weights(model, weights, checkpoint::plan_weights(model.config(), weights, options),
                      options);
}

std::vector<std::string> load_weights(BertForSequenceClassificationImpl& model,
                                      const checkpoint::Weights& weights,
                                      const checkpoint::WeightPlan& plan,
                                      const checkpoint::PlanOptions& options) {
  const NamedTensors params = state_dict(model);
  // Names and shapes were checked by the plan; values are checked as they land.
  torch::NoGradGuard no_grad;
  for (const auto& copy : plan.copies) {
    const torch::Tensor& param = params.at(copy.param.name);
    if (param.is_contiguous() && param.scalar_type() == torch::kFloat && param.is_cpu()) {
      read_f32(*copy.tensor,
               std::span<float>(param.data_ptr<float>(), static_cast<size_t>(param.numel())),
               /*release_as_read=*/true);
    } else {
      param.copy_(to_tensor(*copy.tensor));
    }
    release(*copy.tensor);
    if (!options.allow_non_finite) check_finite(param, copy.param.name, weights.source);
  }
  std::vector<std::string> notes = plan.notes;
  if (plan.head_missing) {
    model.reset_classifier();
    notes.insert(notes.begin(),
                 fmt::format("{}: no classifier head ({}, {}): initialised fresh from N(0, {})",
                             weights.source, spec::names::kClassifierWeight,
                             spec::names::kClassifierBias, model.config().initializer_range));
  }
  for (const auto& note : notes) log::warn("{}", note);
  return notes;
}

}  // namespace cola::model

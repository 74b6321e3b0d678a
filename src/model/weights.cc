#include "model/weights.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cstring>
#include <set>

#include "core/error.h"
#include "core/log.h"
#include "model/names.h"

namespace cola::model {
namespace {

namespace st = safetensors;

std::string shape_text(torch::IntArrayRef shape) {
  return fmt::format("[{}]", fmt::join(shape, ","));
}

bool starts_with(const std::string& s, std::string_view prefix) { return s.starts_with(prefix); }

// How checkpoint names map onto ours. Hugging Face's loader accepts the same variants.
struct NameMapper {
  bool add_bert_prefix = false;  // a BertModel checkpoint: "embeddings.*", "encoder.*", "pooler.*"
  int renamed_gamma_beta = 0;

  explicit NameMapper(const st::File& file) {
    bool any_bert = false;
    bool any_bare = false;
    for (const auto& t : file.tensors()) {
      any_bert = any_bert || starts_with(t.name, "bert.");
      any_bare = any_bare || starts_with(t.name, "embeddings.");
    }
    add_bert_prefix = any_bare && !any_bert;
  }

  std::string map(std::string name) {
    // Checkpoints converted from TensorFlow name LayerNorm's parameters gamma and beta.
    for (const auto& [from, to] : {std::pair{".LayerNorm.gamma", ".LayerNorm.weight"},
                                   std::pair{".LayerNorm.beta", ".LayerNorm.bias"}}) {
      if (name.ends_with(from)) {
        name.replace(name.size() - std::strlen(from), std::strlen(from), to);
        ++renamed_gamma_beta;
      }
    }
    if (add_bert_prefix && !starts_with(name, names::kPretrainingHeadPrefix) &&
        !names::is_classifier_head(name)) {
      name = std::string(names::kBert) + "." + name;
    }
    return name;
  }
};

// Shape and dtype of a checkpoint tensor against the parameter it is loaded into.
void check_compatible(const torch::Tensor& param, const st::File& file,
                      const st::TensorInfo& info) {
  const auto where = fmt::format("{}: tensor '{}'", file.source(), info.name);
  if (info.shape != param.sizes()) {
    throw Error(fmt::format("{}: shape {} in the checkpoint, expected {}", where,
                            shape_text(info.shape), shape_text(param.sizes())));
  }
  using st::DType;
  const auto d = info.dtype;
  if (d != DType::kF32 && d != DType::kF16 && d != DType::kBF16 && d != DType::kF64) {
    throw Error(fmt::format("{}: dtype {} in the checkpoint, expected F32 (or F16, BF16, F64)",
                            where, st::dtype_name(d)));
  }
}

std::string list_names(const std::vector<std::string>& names) {
  constexpr size_t kShown = 5;
  std::vector<std::string> quoted;
  for (size_t i = 0; i < names.size() && i < kShown; ++i) quoted.push_back("'" + names[i] + "'");
  std::string text = fmt::format("{}", fmt::join(quoted, ", "));
  if (names.size() > kShown) text += fmt::format(" (and {} more)", names.size() - kShown);
  return text;
}

// Which checkpoint tensor goes into which parameter, checked in full before anything is copied.
struct LoadPlan {
  std::vector<std::pair<torch::Tensor, const st::TensorInfo*>> copies;
  bool head_missing = false;     // no classifier.weight/bias: to be initialised fresh
  size_t pretraining_heads = 0;  // cls.* tensors skipped
};

LoadPlan plan_load(const NamedTensors& params, const st::File& file, NameMapper& mapper,
                   const BertConfig& config) {
  LoadPlan plan;
  std::set<std::string> matched;
  std::vector<std::string> unexpected;
  for (const auto& info : file.tensors()) {
    const std::string name = mapper.map(info.name);
    if (names::is_ignored_buffer(name)) continue;
    if (starts_with(name, names::kPretrainingHeadPrefix)) {
      ++plan.pretraining_heads;
      continue;
    }
    const auto it = params.find(name);
    if (it == params.end()) {
      unexpected.push_back(info.name);
      continue;
    }
    if (!matched.insert(name).second) {
      throw Error(fmt::format("{}: tensor '{}' appears twice (under two spellings of its name)",
                              file.source(), name));
    }
    check_compatible(it->second, file, info);
    plan.copies.emplace_back(it->second, &info);
  }
  if (!unexpected.empty()) {
    throw Error(fmt::format(
        "{}: unexpected tensor{} {}: not parameters of BertForSequenceClassification with {} "
        "layers",
        file.source(), unexpected.size() > 1 ? "s" : "", list_names(unexpected),
        config.num_hidden_layers));
  }
  std::vector<std::string> missing;
  std::vector<std::string> missing_head;
  for (const auto& [name, tensor] : params) {
    if (matched.count(name) == 0) {
      (names::is_classifier_head(name) ? missing_head : missing).push_back(name);
    }
  }
  if (missing_head.size() == 1) missing.push_back(missing_head[0]);  // half a head is damage
  if (!missing.empty()) {
    throw Error(fmt::format("{}: missing tensor{} {}", file.source(), missing.size() > 1 ? "s" : "",
                            list_names(missing)));
  }
  plan.head_missing = !missing_head.empty();
  return plan;
}

}  // namespace

torch::Tensor to_tensor(const st::File& file, const st::TensorInfo& info) {
  if (info.dtype == st::DType::kI64) {
    auto t = torch::empty(info.shape, torch::kLong);
    const auto bytes = file.data(info);
    if (!bytes.empty()) std::memcpy(t.data_ptr(), bytes.data(), bytes.size());
    return t;
  }
  switch (info.dtype) {
    case st::DType::kF32:
    case st::DType::kF16:
    case st::DType::kBF16:
    case st::DType::kF64: {
      auto t = torch::empty(info.shape, torch::kFloat);
      file.to_f32(info, std::span<float>(t.data_ptr<float>(), static_cast<size_t>(t.numel())));
      return t;
    }
    default:
      throw Error(
          fmt::format("{}: tensor '{}': dtype {} is not supported (supported: F32, F16, "
                      "BF16, F64, I64)",
                      file.source(), info.name, st::dtype_name(info.dtype)));
  }
}

NamedTensors read_tensors(const std::filesystem::path& path) {
  const auto file = st::File::read(path);
  NamedTensors tensors;
  for (const auto& info : file.tensors()) tensors.emplace(info.name, to_tensor(file, info));
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
    views.push_back({name, is_int ? st::DType::kI64 : st::DType::kF32, cpu.sizes().vec(),
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

std::vector<std::string> load_weights(BertForSequenceClassificationImpl& model,
                                      const st::File& file) {
  NameMapper mapper(file);
  const LoadPlan plan = plan_load(state_dict(model), file, mapper, model.config());
  // Everything was checked: from here on the model is changed only as a whole.
  torch::NoGradGuard no_grad;
  for (const auto& [param, info] : plan.copies) param.copy_(to_tensor(file, *info));
  std::vector<std::string> notes;
  if (plan.head_missing) {
    model.reset_classifier();
    notes.push_back(fmt::format("{}: no classifier head ({}, {}): initialised fresh from N(0, {})",
                                file.source(), names::kClassifierWeight, names::kClassifierBias,
                                model.config().initializer_range));
  }
  if (plan.pretraining_heads > 0) {
    notes.push_back(fmt::format("{}: ignored {} pretraining-head tensor(s) (cls.*)", file.source(),
                                plan.pretraining_heads));
  }
  if (mapper.renamed_gamma_beta > 0) {
    notes.push_back(fmt::format("{}: read {} LayerNorm gamma/beta tensors as weight/bias",
                                file.source(), mapper.renamed_gamma_beta));
  }
  if (mapper.add_bert_prefix) {
    notes.push_back(file.source() + ": a BertModel checkpoint: names read with the 'bert.' prefix");
  }
  for (const auto& note : notes) log::warn("{}", note);
  return notes;
}

}  // namespace cola::model

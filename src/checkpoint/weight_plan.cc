#include "checkpoint/weight_plan.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cstring>
#include <map>
#include <set>

#include "core/error.h"

namespace cola::checkpoint {
namespace {

constexpr std::string_view kAnchor = "embeddings.word_embeddings.weight";
constexpr std::string_view kBertDot = "bert.";

// How a checkpoint's names map onto ours.
struct NameMapper {
  std::string prefix;     // stripped: the module prefix (or a bare BertModel's, see below)
  bool add_bert = false;  // a bare BertModel: "bert." goes back in front of its names
  int renamed_gamma_beta = 0;

  explicit NameMapper(const Weights& w) {
    std::vector<const StoredTensor*> anchors;
    for (const auto& t : w.tensors) {
      if (std::string_view(t.name).ends_with(kAnchor) &&
          (t.name.size() == kAnchor.size() || t.name[t.name.size() - kAnchor.size() - 1] == '.')) {
        anchors.push_back(&t);
      }
    }
    if (anchors.size() > 1) {
      throw Error(
          fmt::format("{}: word embeddings under {} names ('{}', '{}'): which one is the "
                      "model?",
                      w.source, anchors.size(), anchors[0]->name, anchors[1]->name));
    }
    if (anchors.empty()) return;  // plan_weights reports the missing embeddings
    const std::string base = anchors[0]->name.substr(0, anchors[0]->name.size() - kAnchor.size());
    if (std::string_view(base).ends_with(kBertDot)) {
      prefix = base.substr(0, base.size() - kBertDot.size());
    } else {
      prefix = base;
      add_bert = true;
    }
  }

  // The HF name for a stored name, or "" for a tensor outside the model's prefix.
  std::string map(std::string_view stored) {
    if (!stored.starts_with(prefix)) return {};
    std::string name(stored.substr(prefix.size()));
    for (const auto& [from, to] : {std::pair{".LayerNorm.gamma", ".LayerNorm.weight"},
                                   std::pair{".LayerNorm.beta", ".LayerNorm.bias"}}) {
      if (name.ends_with(from)) {
        name.replace(name.size() - std::strlen(from), std::strlen(from), to);
        ++renamed_gamma_beta;
      }
    }
    if (add_bert && !name.starts_with(spec::names::kPretrainingHeadPrefix) &&
        !spec::names::is_classifier_head(name)) {
      name = std::string(kBertDot) + name;
    }
    return name;
  }
};

std::string list_names(const std::vector<std::string>& names) {
  constexpr size_t kShown = 5;
  std::vector<std::string> quoted;
  for (size_t i = 0; i < names.size() && i < kShown; ++i) quoted.push_back("'" + names[i] + "'");
  std::string text = fmt::format("{}", fmt::join(quoted, ", "));
  if (names.size() > kShown) text += fmt::format(" (and {} more)", names.size() - kShown);
  return text;
}

bool is_floating(spec::DType d) {
  return d == spec::DType::kF32 || d == spec::DType::kF16 || d == spec::DType::kBF16 ||
         d == spec::DType::kF64;
}

void check_compatible(const spec::names::ParamSpec& param, const StoredTensor& t) {
  const auto where = fmt::format("{}: tensor '{}'", t.where, t.name);
  if (t.shape != param.shape) {
    throw Error(fmt::format("{}: shape {} in the checkpoint, expected {}", where,
                            shape_text(t.shape), shape_text(param.shape)));
  }
  if (!is_floating(t.dtype)) {
    throw Error(fmt::format("{}: dtype {} in the checkpoint, expected F32 (or F16, BF16, F64)",
                            where, spec::dtype_name(t.dtype)));
  }
}

}  // namespace

WeightPlan plan_weights(const spec::BertConfig& config, const Weights& weights,
                        const PlanOptions& options) {
  NameMapper mapper(weights);
  std::map<std::string, const spec::names::ParamSpec*> params;
  const auto specs = spec::names::parameter_specs(config);
  for (const auto& s : specs) params.emplace(s.name, &s);

  WeightPlan plan;
  plan.module_prefix = mapper.add_bert ? "" : mapper.prefix;
  std::map<std::string, const StoredTensor*> matched;
  std::vector<std::string> unexpected;
  std::vector<std::string> outside;
  size_t pretraining_heads = 0;
  for (const auto& t : weights.tensors) {
    const std::string name = mapper.map(t.name);
    if (name.empty()) {
      outside.push_back(t.name);
      continue;
    }
    if (spec::names::is_ignored_buffer(name)) continue;
    if (name.starts_with(spec::names::kPretrainingHeadPrefix)) {
      ++pretraining_heads;
      continue;
    }
    const auto it = params.find(name);
    if (it == params.end()) {
      unexpected.push_back(t.name);
      continue;
    }
    if (!matched.emplace(name, &t).second) {
      throw Error(fmt::format("{}: tensor '{}' appears twice (under two spellings of its name)",
                              weights.source, name));
    }
    check_compatible(*it->second, t);
  }
  if (!unexpected.empty()) {
    throw Error(fmt::format(
        "{}: unexpected tensor{} {}: not parameters of BertForSequenceClassification with {} "
        "layers",
        weights.source, unexpected.size() > 1 ? "s" : "", list_names(unexpected),
        config.num_hidden_layers));
  }
  std::vector<std::string> missing;
  std::vector<std::string> missing_head;
  for (const auto& s : specs) {
    const auto it = matched.find(s.name);
    if (it == matched.end()) {
      (spec::names::is_classifier_head(s.name) ? missing_head : missing).push_back(s.name);
      continue;
    }
    plan.copies.push_back({s, it->second});
  }
  // Half a head is damage; a whole one missing is a pretrained encoder, if the caller allows it.
  if (missing_head.size() == 1 || (!missing_head.empty() && !options.allow_missing_head)) {
    missing.insert(missing.end(), missing_head.begin(), missing_head.end());
  }
  if (!missing.empty()) {
    throw Error(fmt::format("{}: missing tensor{} {}{}", weights.source,
                            missing.size() > 1 ? "s" : "", list_names(missing),
                            missing_head.size() == 2 && missing.size() == 2
                                ? ": a checkpoint without a classification head (fine-tune it "
                                  "with cola train model.pretrained=... first)"
                                : ""));
  }
  plan.head_missing = !missing_head.empty();
  if (!outside.empty()) {
    plan.notes.push_back(fmt::format("{}: ignored {} tensor(s) outside the model's prefix '{}': {}",
                                     weights.source, outside.size(), mapper.prefix,
                                     list_names(outside)));
  }
  if (pretraining_heads > 0) {
    plan.notes.push_back(fmt::format("{}: ignored {} pretraining-head tensor(s) (cls.*)",
                                     weights.source, pretraining_heads));
  }
  if (mapper.renamed_gamma_beta > 0) {
    plan.notes.push_back(fmt::format("{}: read {} LayerNorm gamma/beta tensors as weight/bias",
                                     weights.source, mapper.renamed_gamma_beta));
  }
  if (mapper.add_bert) {
    plan.notes.push_back(weights.source +
                         ": a BertModel checkpoint: names read with the 'bert.' prefix");
  }
  return plan;
}

const StoredTensor* find_mapped(const Weights& weights, std::string_view hf_name) {
  NameMapper mapper(weights);
  for (const auto& t : weights.tensors) {
    if (mapper.map(t.name) == hf_name) return &t;
  }
  return nullptr;
}

}  // namespace cola::checkpoint

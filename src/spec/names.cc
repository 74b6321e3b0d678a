#include "spec/names.h"

#include <algorithm>

#include "spec/bert_config.h"

namespace cola::spec::names {
namespace {

int64_t resolve(Dim dim, const BertConfig& c) {
  switch (dim) {
    case Dim::kNone:
      return 0;
    case Dim::kVocabSize:
      return c.vocab_size;
    case Dim::kMaxPositions:
      return c.max_position_embeddings;
    case Dim::kTypeVocabSize:
      return c.type_vocab_size;
    case Dim::kHiddenSize:
      return c.hidden_size;
    case Dim::kIntermediateSize:
      return c.intermediate_size;
    case Dim::kNumLabels:
      return c.num_labels();
  }
  return 0;
}

ParamSpec spec(const ParamTemplate& t, const BertConfig& c, int64_t layer) {
  ParamSpec s{layer_name(t.name, layer), {}};
  for (const Dim dim : t.dims) {
    if (dim != Dim::kNone) s.shape.push_back(resolve(dim, c));
  }
  return s;
}

}  // namespace

std::string layer_name(std::string_view name_template, int64_t layer) {
  std::string name(name_template);
  const auto at = name.find("{i}");
  if (at != std::string::npos) name.replace(at, 3, std::to_string(layer));
  return name;
}

std::vector<ParamSpec> parameter_specs(const BertConfig& config) {
  std::vector<ParamSpec> specs;
  specs.reserve(kEmbeddingParams.size() +
                static_cast<size_t>(config.num_hidden_layers) * kLayerParams.size() +
                kHeadParams.size());
  for (const auto& t : kEmbeddingParams) specs.push_back(spec(t, config, 0));
  for (int64_t i = 0; i < config.num_hidden_layers; ++i) {
    for (const auto& t : kLayerParams) specs.push_back(spec(t, config, i));
  }
  for (const auto& t : kHeadParams) specs.push_back(spec(t, config, 0));
  return specs;
}

bool is_classifier_head(std::string_view name) {
  return name == kClassifierWeight || name == kClassifierBias;
}

bool is_ignored_buffer(std::string_view name) {
  return std::find(kIgnoredBuffers.begin(), kIgnoredBuffers.end(), name) != kIgnoredBuffers.end();
}

}  // namespace cola::spec::names

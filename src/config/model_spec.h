#pragma once
// From the run's `model:` group to the Hugging Face BertConfig the model is built from. Here, not
// in spec, because spec sits below config: the name table and config.json know nothing of YAML.
#include <cstdint>
#include <string>
#include <vector>

#include "config/schema.h"
#include "spec/bert_config.h"

namespace cola::config {

/// The run's config plus what is known only at run time: the vocab and the labels. Throws
/// UsageError (from BertConfig::validate) for a model that cannot be built.
spec::BertConfig bert_config(const ModelConfig& model, int64_t vocab_size,
                             std::vector<std::string> labels, int64_t pad_token_id = 0);

}  // namespace cola::config

#pragma once
// Where a Predictor's labels and tokenizer come from: the metadata an exported model carries
// (export/metadata.h), a checkpoint's files, or --vocab/--labels for a model that has neither.
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "spec/bert_config.h"
#include "text/tokenizer.h"

namespace cola::predict {

/// Labels in id order from id2label JSON ({"0": "unacceptable", "1": "acceptable"}). Error naming
/// `source` when it is not an object of consecutive ids from 0.
std::vector<std::string> parse_id2label(std::string_view json, const std::string& source);

/// A labels file: id2label JSON, a Hugging Face config.json (its "id2label"), or one label a line
/// (id = line number - 1); Error naming the file.
std::vector<std::string> read_labels_file(const std::filesystem::path& path);

/// The tokenizer settings of a tokenizer_config.json.
text::TokenizerOptions tokenizer_options(const spec::TokenizerConfig& config);

}  // namespace cola::predict

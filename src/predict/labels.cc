#include "predict/labels.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/file.h"

namespace cola::predict {
namespace {

std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(" \t\r\n") - first + 1);
}

}  // namespace

std::vector<std::string> parse_id2label(std::string_view json, const std::string& source) {
  const auto parsed = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_object() || parsed.empty()) {
    throw Error(source + ": id2label is not a JSON object such as {\"0\": \"unacceptable\"}");
  }
  std::vector<std::string> labels(parsed.size());
  std::vector<bool> seen(parsed.size(), false);
  for (const auto& [key, value] : parsed.items()) {
    size_t id = 0;
    try {
      id = std::stoul(key);
    } catch (const std::exception&) {
      throw Error(fmt::format("{}: id2label key '{}' is not a label id", source, key));
    }
    if (id >= labels.size() || seen[id] || !value.is_string()) {
      throw Error(fmt::format("{}: id2label must map ids 0..{} to strings, got '{}': {}", source,
                              labels.size() - 1, key, value.dump()));
    }
    labels[id] = value.get<std::string>();
    seen[id] = true;
  }
  return labels;
}

std::vector<std::string> read_labels_file(const std::filesystem::path& path) {
  const std::string source = path.string();
  const std::string content = read_file(path);
  const std::string_view trimmed = trim(content);
  if (!trimmed.empty() && trimmed.front() == '{') {
    // A Hugging Face config.json carries the map under "id2label", beside the model's sizes.
    const auto parsed = nlohmann::json::parse(trimmed, nullptr, /*allow_exceptions=*/false);
    if (parsed.is_object() && parsed.contains("id2label")) {
      return parse_id2label(parsed["id2label"].dump(), source + " id2label");
    }
    return parse_id2label(trimmed, source);
  }
  std::vector<std::string> labels;
  for (size_t pos = 0; pos <= trimmed.size();) {
    const size_t end = std::min(trimmed.find('\n', pos), trimmed.size());
    const std::string_view line = trim(trimmed.substr(pos, end - pos));
    if (!line.empty()) labels.emplace_back(line);
    pos = end + 1;
  }
  if (labels.empty()) throw Error(source + ": no labels (one a line, or id2label JSON)");
  return labels;
}

text::TokenizerOptions tokenizer_options(const spec::TokenizerConfig& config) {
  return text::TokenizerOptions{config.do_lower_case, config.strip_accents};
}

}  // namespace cola::predict

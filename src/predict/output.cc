#include "predict/output.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace cola::predict {
namespace {

void append_json_string(std::string& out, std::string_view s) {
  out += nlohmann::json(s).dump();  // escapes quotes, control characters
}

}  // namespace

void append_json_line(std::string& out, std::string_view sentence,
                      const std::vector<std::string>& labels, std::span<const float> scores) {
  out += "{\"sentence\": ";
  append_json_string(out, sentence);
  out += ", \"predictions\": [";
  for (size_t i = 0; i < labels.size() && i < scores.size(); ++i) {
    if (i > 0) out += ", ";
    out += "{\"label\": ";
    append_json_string(out, labels[i]);
    // {} prints the shortest decimal that reads back as the same float.
    fmt::format_to(std::back_inserter(out), ", \"score\": {}}}", scores[i]);
  }
  out += "]}\n";
}

}  // namespace cola::predict

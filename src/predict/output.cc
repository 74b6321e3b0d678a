#include "predict/output.h"

#include <fmt/format.h>

#include <cmath>
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
  bool non_finite = false;
  for (size_t i = 0; i < labels.size() && i < scores.size(); ++i) {
    if (i > 0) out += ", ";
    out += "{\"label\": ";
    append_json_string(out, labels[i]);
    if (std::isfinite(scores[i])) {
      // {} prints the shortest decimal that reads back as the same float.
      fmt::format_to(std::back_inserter(out), ", \"score\": {}}}", scores[i]);
    } else {
      out += ", \"score\": null}";  // JSON has no NaN or Infinity
      non_finite = true;
    }
  }
  out += "]";
  if (non_finite) out += ", \"error\": \"the model produced a non-finite score\"";
  out += "}\n";
}

}  // namespace cola::predict

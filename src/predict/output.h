#pragma once
// The seed's output format, one JSON object a line:
//   {"sentence": "...", "predictions": [{"label": "unacceptable", "score": 0.03}, ...]}
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace cola::predict {

/// Appends one prediction line (with its '\n') to `out`. `sentence` must be valid UTF-8.
void append_json_line(std::string& out, std::string_view sentence,
                      const std::vector<std::string>& labels, std::span<const float> scores);

}  // namespace cola::predict

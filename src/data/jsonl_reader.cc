// JSON Lines: one object a line, {"sentence": "...", "label": "acceptable" | 1}. Other keys (an
// index, a source) are ignored.
#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <string>

#include "data/row_sink.h"
#include "data/text_lines.h"

namespace cola::data {
namespace {

using nlohmann::json;

// nlohmann says "[json.exception.parse_error.101] parse error at line 1, column 9: <what>"; the
// line is always 1 here, so keep "column 9: <what>".
std::string describe_parse_error(const json::parse_error& e) {
  const std::string what = e.what();
  const size_t column = what.find("column ");
  return "malformed JSON" +
         (column == std::string::npos ? ": " + what : " at " + what.substr(column));
}

void read_row(int64_t n, const json& row, RowSink& sink) {
  if (!row.is_object()) {
    return sink.reject(n, fmt::format("expected a JSON object, got {}", row.type_name()));
  }
  const auto sentence = row.find("sentence");
  if (sentence == row.end()) return sink.reject(n, "missing \"sentence\"");
  if (!sentence->is_string()) {
    return sink.reject(n,
                       fmt::format("\"sentence\" must be a string, got {}", sentence->type_name()));
  }
  const auto label = row.find("label");
  if (label == row.end()) return sink.reject(n, "missing \"label\"");
  const auto& text = sentence->get_ref<const std::string&>();
  if (label->is_string()) return sink.add(n, text, label->get_ref<const std::string&>());
  if (label->is_number_integer()) return sink.add(n, text, label->get<int64_t>());
  sink.reject(n, fmt::format("\"label\" must be a string or an integer, got {}", label->dump()));
}

}  // namespace

void read_jsonl(std::string_view content, RowSink& sink) {
  for_each_line(content, [&](int64_t n, std::string_view line) {
    if (is_blank(line)) return;  // e.g. a trailing empty line
    if (!sink.check_utf8(n, line)) return;
    json row;
    try {
      row = json::parse(line);
    } catch (const json::parse_error& e) {
      return sink.reject(n, describe_parse_error(e));
    } catch (const json::exception& e) {
      // out_of_range: a number too large for a double ("1E999"), which nlohmann refuses while
      // parsing (found by fuzz/readers_fuzz).
      return sink.reject(n, std::string("malformed JSON: ") + e.what());
    }
    read_row(n, row, sink);
  });
}

}  // namespace cola::data

#pragma once
// Line-level helpers shared by the readers (internal to src/data).
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace cola::data {

/// Drops a leading UTF-8 byte-order mark (Excel writes one).
std::string_view strip_bom(std::string_view content);

/// Calls f(line_number, line) for each line (1-based), without the '\n' or a trailing '\r'. A
/// final '\n' does not start another line.
template <class F>
void for_each_line(std::string_view content, F&& f) {
  content = strip_bom(content);
  int64_t number = 0;
  while (!content.empty()) {
    const size_t end = content.find('\n');
    std::string_view line = content.substr(0, end);
    content = end == std::string_view::npos ? std::string_view() : content.substr(end + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    f(++number, line);
  }
}

/// The first line of content, as for_each_line would give it.
std::string_view first_line(std::string_view content);
/// The tab-separated fields of a line (one field for a line without tabs).
std::vector<std::string_view> split_tabs(std::string_view line);
/// True when text is empty or only ASCII whitespace.
bool is_blank(std::string_view text);

}  // namespace cola::data

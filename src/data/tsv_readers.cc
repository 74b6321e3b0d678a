// The two TSV layouts: CoLA's raw files (no header) and GLUE's (a header naming the columns).
// Neither quotes fields: a tab always separates columns, as in the released files.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <string>

#include "data/row_sink.h"
#include "data/text_lines.h"
#include "text/unicode.h"

namespace cola::data {
namespace {

// CoLA raw columns: source code, label (0/1), original annotation ('*', '?*', ...), sentence.
constexpr size_t kColaColumns = 4;
constexpr size_t kColaLabel = 1;
constexpr size_t kColaSentence = 3;

// The index of the header field named `name`, or fails naming the columns that are there.
size_t header_column(const std::vector<std::string_view>& header, std::string_view name,
                     const RowSink& sink) {
  for (size_t i = 0; i < header.size(); ++i) {
    if (header[i] == name) return i;
  }
  sink.fail(1,
            fmt::format("header has no '{}' column (columns: {})", name, fmt::join(header, ", ")));
}

}  // namespace

void read_cola_tsv(std::string_view content, RowSink& sink) {
  for_each_line(content, [&](int64_t n, std::string_view line) {
    if (line.empty()) return;  // blank lines are ignored, as pandas.read_csv does
    if (!sink.check_utf8(n, line)) return;
    const auto fields = split_tabs(line);
    if (fields.size() != kColaColumns) {
      return sink.reject(
          n, fmt::format("expected {} tab-separated columns, got {}", kColaColumns, fields.size()));
    }
    sink.add(n, fields[kColaSentence], fields[kColaLabel]);
  });
}

void read_glue_tsv(std::string_view content, RowSink& sink) {
  std::vector<std::string_view> header;
  size_t sentence = 0;
  size_t label = 0;
  for_each_line(content, [&](int64_t n, std::string_view line) {
    if (n == 1) {
      if (text::find_invalid_utf8(line) != std::string_view::npos)
        sink.fail(n, "the header is not valid UTF-8");
      header = split_tabs(line);
      sentence = header_column(header, "sentence", sink);
      label = header_column(header, "label", sink);
      return;
    }
    if (line.empty()) return;
    if (!sink.check_utf8(n, line)) return;
    const auto fields = split_tabs(line);
    if (fields.size() != header.size()) {
      return sink.reject(n,
                         fmt::format("expected {} tab-separated columns (as in the header), got {}",
                                     header.size(), fields.size()));
    }
    sink.add(n, fields[sentence], fields[label]);
  });
}

}  // namespace cola::data

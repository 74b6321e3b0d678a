#include "data/format.h"

#include <fmt/format.h>

#include <string>

#include "core/enum_names.h"
#include "core/error.h"
#include "data/text_lines.h"

namespace cola::data {

namespace {

constexpr EnumNames<Format, 4> kFormatNames = {{{Format::auto_detect, "auto"},
                                                {Format::cola_tsv, "cola_tsv"},
                                                {Format::glue_tsv, "glue_tsv"},
                                                {Format::jsonl, "jsonl"}}};
constexpr EnumNames<OnBadRow, 2> kOnBadRowNames = {
    {{OnBadRow::error, "error"}, {OnBadRow::skip, "skip"}}};

}  // namespace

Format parse_format(std::string_view name) {
  if (const auto format = enum_value(kFormatNames, name)) return *format;
  throw UsageError(
      fmt::format("data.format '{}' is not one of: {}", name, enum_names(kFormatNames)));
}

std::string_view format_name(Format format) { return enum_name(kFormatNames, format); }

OnBadRow parse_on_bad_row(std::string_view name) {
  if (const auto on_bad_row = enum_value(kOnBadRowNames, name)) return *on_bad_row;
  throw UsageError(
      fmt::format("data.on_bad_row '{}' is not one of: {}", name, enum_names(kOnBadRowNames)));
}

Format detect_format(Format format, const std::filesystem::path& path, std::string_view content) {
  if (format != Format::auto_detect) return format;
  if (path.extension() == ".jsonl") return Format::jsonl;
  const std::string_view first = first_line(content);
  for (std::string_view field : split_tabs(first)) {
    if (field == "sentence") return Format::glue_tsv;
  }
  return Format::cola_tsv;
}

}  // namespace cola::data

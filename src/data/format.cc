#include "data/format.h"

#include <string>

#include "core/error.h"
#include "data/text_lines.h"

namespace cola::data {

Format parse_format(std::string_view name) {
  if (name == "auto") return Format::auto_detect;
  if (name == "cola_tsv") return Format::cola_tsv;
  if (name == "glue_tsv") return Format::glue_tsv;
  if (name == "jsonl") return Format::jsonl;
  throw UsageError("data.format '" + std::string(name) +
                   "' is not one of: auto, cola_tsv, glue_tsv, jsonl");
}

std::string_view format_name(Format format) {
  switch (format) {
    case Format::auto_detect:
      return "auto";
    case Format::cola_tsv:
      return "cola_tsv";
    case Format::glue_tsv:
      return "glue_tsv";
    case Format::jsonl:
      return "jsonl";
  }
  return "?";
}

OnBadRow parse_on_bad_row(std::string_view name) {
  if (name == "error") return OnBadRow::error;
  if (name == "skip") return OnBadRow::skip;
  throw UsageError("data.on_bad_row '" + std::string(name) + "' is not one of: error, skip");
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

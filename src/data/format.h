#pragma once
// The reader's string options from config::DataConfig, parsed into enums (a bad value is a
// UsageError listing the valid ones).
#include <filesystem>
#include <string_view>

namespace cola::data {

/// data.format.
enum class Format { auto_detect, cola_tsv, glue_tsv, jsonl };
/// data.on_bad_row.
enum class OnBadRow { error, skip };

/// Parses "auto|cola_tsv|glue_tsv|jsonl".
Format parse_format(std::string_view name);
/// The config spelling of a format.
std::string_view format_name(Format format);
/// Parses "error|skip".
OnBadRow parse_on_bad_row(std::string_view name);

/// Resolves auto: .jsonl is JSONL; a first line with a tab-separated `sentence` field is a GLUE
/// header; anything else is CoLA's raw TSV. Other formats are returned unchanged.
Format detect_format(Format format, const std::filesystem::path& path, std::string_view content);

}  // namespace cola::data

#pragma once
// Reading the data files named by config::DataConfig (CoLA raw TSV, GLUE TSV, JSONL).
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "config/schema.h"
#include "data/example.h"

namespace cola::data {

/// Parses file content; `path` names it in messages and picks the format when data.format=auto.
/// Uses cfg.format, cfg.labels and cfg.on_bad_row; bad rows throw Error("path:line: reason").
Split parse_split(std::string_view content, const std::filesystem::path& path,
                  const config::DataConfig& cfg);

/// Reads and parses one file (see parse_split); logs a warning when rows were skipped.
Split read_split(const std::filesystem::path& path, const config::DataConfig& cfg);

/// cfg.dir / file, which must exist; otherwise an Error saying where it looked (and, for the real
/// CoLA, how to download it). `key` names the config field, e.g. "data.train_file".
std::filesystem::path split_path(const config::DataConfig& cfg, const std::string& file,
                                 std::string_view key);

/// The training split and, unless data.valid_file is empty, the validation split.
struct Splits {
  Split train;
  std::optional<Split> valid;
};

/// Reads both splits of cfg.
Splits read_splits(const config::DataConfig& cfg);

}  // namespace cola::data

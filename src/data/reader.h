#pragma once
// Reading the data files named by config::DataConfig (CoLA raw TSV, GLUE TSV, JSONL).
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/schema.h"
#include "data/example.h"

namespace cola::data {

/// Parses file content; `path` names it in messages and picks the format when data.format=auto.
/// Uses cfg.format, cfg.labels and cfg.on_bad_row; bad rows throw Error("path:line: reason").
Split parse_split(std::string_view content, const std::filesystem::path& path,
                  const config::DataConfig& cfg);

/// Reads and parses one file (see parse_split); logs a warning when rows were skipped.
Split read_split(const std::filesystem::path& path, const config::DataConfig& cfg);

/// The sentences of a labelled file and their label ids, in file order.
struct Labelled {
  std::vector<std::string> sentences;
  std::vector<int64_t> labels;
};

/// Reads `path` (any format read_split takes, detected) with label names `labels` (a JSONL file
/// may name its labels; a TSV has ids). For scoring a model on a file outside any config.
Labelled read_labelled(const std::filesystem::path& path, const std::vector<std::string>& labels);

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

#include "data/reader.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/error.h"
#include "core/file.h"
#include "core/log.h"
#include "data/format.h"
#include "data/label_set.h"
#include "data/row_sink.h"

namespace cola::data {
namespace fs = std::filesystem;

Split parse_split(std::string_view content, const fs::path& path, const config::DataConfig& cfg) {
  const LabelSet labels(cfg.labels);
  const OnBadRow on_bad_row = parse_on_bad_row(cfg.on_bad_row);
  Split split;
  split.path = path;
  RowSink sink(split, labels, on_bad_row);
  switch (detect_format(parse_format(cfg.format), path, content)) {
    case Format::jsonl:
      read_jsonl(content, sink);
      break;
    case Format::glue_tsv:
      read_glue_tsv(content, sink);
      break;
    case Format::cola_tsv:
    case Format::auto_detect:
      read_cola_tsv(content, sink);
      break;
  }
  return split;
}

Split read_split(const fs::path& path, const config::DataConfig& cfg) {
  Split split = parse_split(read_file(path), path, cfg);
  if (split.skipped > 0) {
    log::warn("{}: skipped {} bad row(s) (data.on_bad_row=skip); first: {}", path.string(),
              split.skipped, fmt::join(split.skip_reasons, "; "));
  }
  return split;
}

Labelled read_labelled(const fs::path& path, const std::vector<std::string>& labels) {
  config::DataConfig cfg;
  cfg.labels = labels;
  const auto split = read_split(path, cfg);
  Labelled out;
  for (const auto& e : split.examples) {
    out.sentences.push_back(e.sentence);
    out.labels.push_back(e.label);
  }
  return out;
}

fs::path split_path(const config::DataConfig& cfg, const std::string& file, std::string_view key) {
  fs::path path = fs::path(cfg.dir) / file;
  std::error_code ec;
  if (fs::is_regular_file(path, ec)) return path;
  std::string message = fmt::format("{} not found: looked for {} (data.dir={}, {}={})", key,
                                    path.string(), cfg.dir, key, file);
  // The real corpus is not in the repository (see data/sample/README.md for why).
  if (cfg.name == "cola") {
    message += fmt::format("; get CoLA with: cola data download --dir {}",
                           cfg.dir.empty() ? "." : cfg.dir);
  }
  throw Error(message);
}

Splits read_splits(const config::DataConfig& cfg) {
  Splits splits{read_split(split_path(cfg, cfg.train_file, "data.train_file"), cfg), std::nullopt};
  if (!cfg.valid_file.empty()) {
    splits.valid = read_split(split_path(cfg, cfg.valid_file, "data.valid_file"), cfg);
  }
  return splits;
}

}  // namespace cola::data

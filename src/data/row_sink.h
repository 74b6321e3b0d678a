#pragma once
// Where the format readers put rows (internal to src/data): good rows go into the Split, bad ones
// either stop the read with "file:line: reason" or are counted, per data.on_bad_row.
#include <cstdint>
#include <string>
#include <string_view>

#include "data/example.h"
#include "data/format.h"
#include "data/label_set.h"

namespace cola::data {

class RowSink {
 public:
  /// Rows go into `out` (whose path names the file in messages).
  RowSink(Split& out, const LabelSet& labels, OnBadRow on_bad_row);

  /// Adds a row whose label is written as a name or an id; rejects an unknown label or a blank
  /// sentence.
  void add(int64_t line, std::string_view sentence, std::string_view label);
  /// Adds a row whose label is already an id (JSON integers).
  void add(int64_t line, std::string_view sentence, int64_t label_id);
  /// A bad row: throws Error("file:line: reason") under on_bad_row=error, else counts it.
  void reject(int64_t line, const std::string& reason);
  /// A problem with the file as a whole (e.g. its header): always throws.
  [[noreturn]] void fail(int64_t line, const std::string& reason) const;
  /// Rejects the line and returns false when it is not valid UTF-8.
  bool check_utf8(int64_t line, std::string_view text);

 private:
  void add_checked(int64_t line, std::string_view sentence, int64_t label_id);

  Split& out_;
  const LabelSet& labels_;
  OnBadRow on_bad_row_;
};

/// The readers for each format: each walks `content` and feeds every row to `sink`.
void read_cola_tsv(std::string_view content, RowSink& sink);
void read_glue_tsv(std::string_view content, RowSink& sink);
void read_jsonl(std::string_view content, RowSink& sink);

}  // namespace cola::data

#include "data/row_sink.h"

#include <fmt/format.h>

#include "core/error.h"
#include "data/text_lines.h"
#include "text/unicode.h"

namespace cola::data {
namespace {
// Enough to show what kind of problem a file has without flooding the log.
constexpr size_t kMaxSkipReasons = 5;
}  // namespace

RowSink::RowSink(Split& out, const LabelSet& labels, OnBadRow on_bad_row)
    : out_(out), labels_(labels), on_bad_row_(on_bad_row) {}

void RowSink::add(int64_t line, std::string_view sentence, std::string_view label) {
  const auto id = labels_.parse(label);
  if (!id)
    return reject(line, fmt::format("label '{}' is not one of: {}", label, labels_.describe()));
  add_checked(line, sentence, *id);
}

void RowSink::add(int64_t line, std::string_view sentence, int64_t label_id) {
  if (!labels_.contains(label_id)) {
    return reject(line, fmt::format("label '{}' is not one of: {}", label_id, labels_.describe()));
  }
  add_checked(line, sentence, label_id);
}

void RowSink::add_checked(int64_t line, std::string_view sentence, int64_t label_id) {
  if (is_blank(sentence)) return reject(line, "empty sentence");
  out_.examples.push_back(Example{std::string(sentence), label_id, line});
}

void RowSink::reject(int64_t line, const std::string& reason) {
  if (on_bad_row_ == OnBadRow::error) fail(line, reason);
  ++out_.skipped;
  if (out_.skip_reasons.size() < kMaxSkipReasons) {
    out_.skip_reasons.push_back(fmt::format("{}:{}: {}", out_.path.string(), line, reason));
  }
}

void RowSink::fail(int64_t line, const std::string& reason) const {
  throw Error(fmt::format("{}:{}: {}", out_.path.string(), line, reason));
}

bool RowSink::check_utf8(int64_t line, std::string_view text) {
  const size_t bad = text::find_invalid_utf8(text);
  if (bad == std::string_view::npos) return true;
  reject(line, fmt::format("invalid UTF-8 at byte {} of the line", bad + 1));
  return false;
}

}  // namespace cola::data

#include "predict/input.h"

#include <fmt/format.h>
#include <unistd.h>

#include <ext/stdio_filebuf.h>  // libstdc++'s filebuf over a file descriptor
#include <fstream>
#include <nlohmann/json.hpp>
#include <vector>

#include "core/error.h"
#include "text/unicode.h"

namespace cola::predict {
namespace {

// Carries a reason for one line up to next(), which adds the location.
struct BadLine : std::runtime_error {
  using std::runtime_error::runtime_error;
};

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::vector<std::string_view> split_tabs(std::string_view line) {
  std::vector<std::string_view> fields;
  size_t start = 0;
  for (size_t tab; (tab = line.find('\t', start)) != std::string_view::npos; start = tab + 1) {
    fields.push_back(line.substr(start, tab - start));
  }
  fields.push_back(line.substr(start));
  return fields;
}

}  // namespace

InputFormat parse_input_format(std::string_view name) {
  if (name == "auto") return InputFormat::kAuto;
  if (name == "text") return InputFormat::kText;
  if (name == "tsv") return InputFormat::kTsv;
  if (name == "jsonl") return InputFormat::kJsonl;
  throw UsageError(fmt::format("unknown input format '{}' (valid: auto, text, tsv, jsonl)", name));
}

SentenceReader::SentenceReader(std::istream& in, std::string name, InputFormat format,
                               OnBadLine on_bad)
    : in_(in), name_(name == "-" ? "<stdin>" : std::move(name)), format_(format), on_bad_(on_bad) {
  if (format_ != InputFormat::kAuto) return;
  if (ends_with(name_, ".tsv")) format_ = InputFormat::kTsv;
  if (ends_with(name_, ".jsonl") || ends_with(name_, ".json")) format_ = InputFormat::kJsonl;
}

void SentenceReader::detect(std::string_view first_line) {
  if (format_ == InputFormat::kAuto) {
    format_ = !first_line.empty() && first_line.front() == '{'  ? InputFormat::kJsonl
              : first_line.find('\t') != std::string_view::npos ? InputFormat::kTsv
                                                                : InputFormat::kText;
  }
  if (format_ != InputFormat::kTsv) return;
  const auto fields = split_tabs(first_line);
  for (size_t i = 0; i < fields.size(); ++i) {
    if (fields[i] == "sentence") {  // a GLUE header
      tsv_column_ = static_cast<int>(i);
      tsv_header_ = true;
    }
  }
}

bool SentenceReader::extract(std::string_view raw, std::string& sentence) {
  if (const size_t bad = text::find_invalid_utf8(raw); bad != std::string_view::npos) {
    throw BadLine(fmt::format("invalid UTF-8 at byte {}", bad + 1));
  }
  switch (format_) {
    case InputFormat::kAuto:
    case InputFormat::kText:
      sentence.assign(raw);
      return true;
    case InputFormat::kTsv: {
      if (raw.empty()) return false;
      const auto fields = split_tabs(raw);
      if (tsv_column_ < 0) tsv_column_ = fields.size() == 4 ? 3 : 0;  // raw CoLA, else 1 column
      if (static_cast<size_t>(tsv_column_) >= fields.size() ||
          (!tsv_header_ && tsv_column_ == 0 && fields.size() > 1)) {
        throw BadLine(fmt::format(
            "{} tab-separated fields; expected raw CoLA (4, the sentence last), one sentence, or "
            "a GLUE header naming a 'sentence' column",
            fields.size()));
      }
      sentence.assign(fields[tsv_column_]);
      return true;
    }
    case InputFormat::kJsonl: {
      if (cut_) throw BadLine(fmt::format("longer than {} bytes", kMaxLineBytes));
      if (raw.find_first_not_of(" \t") == std::string_view::npos) return false;
      const auto row = nlohmann::json::parse(raw, nullptr, /*allow_exceptions=*/false);
      if (!row.is_object()) throw BadLine("not a JSON object");
      for (const char* key : {"sentence", "text"}) {
        const auto it = row.find(key);
        if (it != row.end() && it->is_string()) {
          sentence = it->get<std::string>();
          return true;
        }
      }
      throw BadLine("no \"sentence\" (or \"text\") string field");
    }
  }
  return false;
}

bool SentenceReader::read_line() {
  raw_.clear();
  cut_ = false;
  std::streambuf& buf = *in_.rdbuf();
  int c = buf.sbumpc();
  if (c == std::char_traits<char>::eof()) return false;
  for (; c != std::char_traits<char>::eof() && c != '\n'; c = buf.sbumpc()) {
    if (raw_.size() < kMaxLineBytes) {
      raw_.push_back(static_cast<char>(c));
    } else {
      cut_ = true;
    }
  }
  if (cut_) {
    ++cut_lines_;
    // Drop a code point the cut split, so the kept part stays valid UTF-8.
    size_t end = raw_.size();
    while (end > 0 && (static_cast<unsigned char>(raw_[end - 1]) & 0xC0) == 0x80) --end;
    if (end > 0 && static_cast<unsigned char>(raw_[end - 1]) >= 0xC0) raw_.resize(end - 1);
  }
  return true;
}

bool SentenceReader::next(std::string& sentence, int64_t& line) {
  while (read_line()) {
    ++line_;
    std::string_view raw = raw_;
    if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
    if (line_ == 1) {
      if (raw.substr(0, 3) == "\xEF\xBB\xBF") raw.remove_prefix(3);  // a byte-order mark
      detect(raw);
      if (tsv_header_) continue;  // the GLUE header itself
    }
    try {
      if (!extract(raw, sentence)) continue;
    } catch (const BadLine& e) {
      const std::string message = fmt::format("{}:{}: {}", name_, line_, e.what());
      if (on_bad_ == OnBadLine::kFail) throw Error(message);
      if (skipped_++ == 0) first_skip_ = message;
      continue;
    }
    line = line_;
    return true;
  }
  return false;
}

std::unique_ptr<std::streambuf> open_input(const std::string& input) {
  if (input == "-") {
    const int fd = ::dup(STDIN_FILENO);  // the filebuf owns and closes the duplicate
    if (fd < 0) throw Error("<stdin>: cannot read");
    return std::make_unique<__gnu_cxx::stdio_filebuf<char>>(fd, std::ios::in);
  }
  auto file = std::make_unique<std::filebuf>();
  if (file->open(input, std::ios::in) == nullptr) throw Error(input + ": cannot open");
  return file;
}

}  // namespace cola::predict

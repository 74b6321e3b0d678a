#pragma once
// Sentences to predict, streamed from a file or stdin one line at a time, so that memory stays
// flat whatever the input size. Formats: plain text (one sentence a line), CoLA/GLUE TSV, JSONL.
#include <cstdint>
#include <istream>
#include <memory>
#include <string>
#include <string_view>

namespace cola::predict {

enum class InputFormat {
  kAuto,   // by extension (.tsv, .jsonl/.json), else by the first line ('{', a tab, or text)
  kText,   // the whole line is the sentence; a blank line is the empty sentence
  kTsv,    // GLUE (a header with a "sentence" column) or raw CoLA (4 columns, sentence last)
  kJsonl,  // {"sentence": "..."} (or "text") per line
};

/// Parses "auto", "text", "tsv" or "jsonl"; UsageError listing them otherwise.
InputFormat parse_input_format(std::string_view name);

/// What to do with a line that cannot be read (invalid UTF-8, a malformed row).
enum class OnBadLine { kFail, kSkip };

/// The bytes of `input`: a file, or stdin for "-". Stdin is read through a filebuf of its own
/// rather than std::cin: its in_avail() asks the kernel how much is waiting (FIONREAD), which is
/// how a streamed chunk knows to end when the input stalls. Error naming the file otherwise.
std::unique_ptr<std::streambuf> open_input(const std::string& input);

class SentenceReader {
 public:
  /// `name` is the file in messages ("-" reads as "<stdin>"); `in` must outlive the reader.
  SentenceReader(std::istream& in, std::string name, InputFormat format, OnBadLine on_bad);

  /// The next sentence and its 1-based line number; false at the end of the input. A bad line
  /// throws Error("<name>:<line>: <reason>"), or is counted and skipped under OnBadLine::kSkip.
  bool next(std::string& sentence, int64_t& line);

  /// Lines longer than kMaxLineBytes: their sentence is the first kMaxLineBytes (a JSONL line is
  /// a bad line instead), so that one endless line cannot fill memory.
  static constexpr size_t kMaxLineBytes = size_t{1} << 20;
  int64_t cut_lines() const { return cut_lines_; }

  /// Lines skipped under OnBadLine::kSkip, and the message of the first one.
  int64_t skipped() const { return skipped_; }
  const std::string& first_skip_reason() const { return first_skip_; }

 private:
  // The sentence of `raw`, or throws the reason it has none (without the location).
  bool extract(std::string_view raw, std::string& sentence);
  // Reads the next line into raw_, keeping at most kMaxLineBytes; false at the end of the input.
  bool read_line();
  void detect(std::string_view first_line);

  std::istream& in_;
  std::string name_;
  InputFormat format_;
  OnBadLine on_bad_;
  int tsv_column_ = -1;      // the sentence column; -1 until the first row fixes it
  bool tsv_header_ = false;  // the first line was a GLUE header
  int64_t line_ = 0;
  int64_t skipped_ = 0;
  int64_t cut_lines_ = 0;
  bool cut_ = false;  // the line in raw_ was longer than kMaxLineBytes
  std::string first_skip_;
  std::string raw_;
};

}  // namespace cola::predict

#include "text/corpus.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/error.h"
#include "core/file.h"
#include "text/unicode.h"

namespace cola::text {
namespace {

// Calls f(line, line_number) for each line without its "\n" or "\r\n", skipping empty lines.
template <class F>
void for_each_line(std::string_view content, F&& f) {
  size_t number = 0;
  while (!content.empty()) {
    const size_t end = content.find('\n');
    std::string_view line = content.substr(0, end);
    content.remove_prefix(end == std::string_view::npos ? content.size() : end + 1);
    ++number;
    if (line.ends_with('\r')) line.remove_suffix(1);
    if (!line.empty()) f(line, number);
  }
}

// The 4th field of a CoLA line: source, label, original label (blank), sentence.
std::string_view fourth_field(std::string_view line) {
  for (int i = 0; i < 3; ++i) line.remove_prefix(line.find('\t') + 1);
  return line;
}

}  // namespace

bool looks_like_cola_tsv(std::string_view content) {
  bool any = false;
  bool all = true;
  for_each_line(content, [&](std::string_view line, size_t) {
    any = true;
    if (std::count(line.begin(), line.end(), '\t') != 3) {
      all = false;
      return;
    }
    const std::string_view label = line.substr(line.find('\t') + 1, 2);
    all = all && (label == "0\t" || label == "1\t");
  });
  return any && all;
}

std::vector<std::string> read_sentences(const std::filesystem::path& path) {
  const std::string content = read_file(path);
  const bool tsv = looks_like_cola_tsv(content);
  std::vector<std::string> sentences;
  for_each_line(content, [&](std::string_view line, size_t number) {
    if (find_invalid_utf8(line) != std::string_view::npos) {
      throw Error(fmt::format("{}:{}: line is not valid UTF-8", path.string(), number));
    }
    const std::string_view sentence = tsv ? fourth_field(line) : line;
    if (!sentence.empty()) sentences.emplace_back(sentence);
  });
  return sentences;
}

}  // namespace cola::text

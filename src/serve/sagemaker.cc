#include "serve/sagemaker.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <string>

#include "core/error.h"

namespace cola::serve {
namespace {

// "Text/CSV; charset=utf-8" -> "text/csv" (RFC 9110 8.3.1: the type is case-insensitive).
std::string media_type(std::string_view content_type) {
  std::string_view type = content_type.substr(0, content_type.find(';'));
  while (!type.empty() && std::isspace(static_cast<unsigned char>(type.front()))) {
    type.remove_prefix(1);
  }
  while (!type.empty() && std::isspace(static_cast<unsigned char>(type.back()))) {
    type.remove_suffix(1);
  }
  std::string out(type);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// One RFC 4180 quoted field from body[at] (the opening quote); moves `at` and `line` past it.
std::string quoted_field(std::string_view body, size_t& at, size_t& line) {
  const size_t first_line = line;
  std::string field;
  ++at;
  for (;;) {
    const size_t quote = body.find('"', at);
    if (quote == std::string_view::npos) {
      throw invalid_request(
          fmt::format("text/csv line {}: the quoted field is never closed", first_line));
    }
    const std::string_view part = body.substr(at, quote - at);
    line += static_cast<size_t>(std::count(part.begin(), part.end(), '\n'));
    field += part;
    at = quote + 1;
    if (at < body.size() && body[at] == '"') {  // "" is a quote inside the field
      field += '"';
      ++at;
      continue;
    }
    return field;
  }
}

}  // namespace

std::vector<std::string> csv_records(std::string_view body) {
  // Spreadsheets start a UTF-8 file with a byte order mark, which is no part of the first text.
  if (body.starts_with("\xEF\xBB\xBF")) body.remove_prefix(3);
  std::vector<std::string> records;
  size_t at = 0;
  size_t line = 1;
  while (at < body.size()) {
    if (body[at] == '"') {
      const size_t record_line = line;
      records.push_back(quoted_field(body, at, line));
      if (at < body.size() && body[at] == '\r') ++at;
      if (at < body.size() && body[at] != '\n') {
        throw invalid_request(fmt::format(
            "text/csv line {}: text after the closing quote (a record is one column, the "
            "sentence: quote all of it)",
            record_line));
      }
    } else {
      // An unquoted line is the sentence, commas and quotes included: there is one column.
      std::string_view text = body.substr(at, body.find('\n', at) - at);
      if (text.ends_with('\r')) text.remove_suffix(1);
      if (!text.empty()) records.emplace_back(text);
      at += text.size();
      if (at < body.size() && body[at] == '\r') ++at;
    }
    ++at;  // the newline
    ++line;
  }
  return records;
}

PredictRequest parse_invocation(std::string_view content_type, std::string_view body,
                                int64_t max_inputs) {
  const std::string type = media_type(content_type);
  if (type.empty() || type == "application/json") return parse_predict(body, max_inputs);
  if (type != "text/csv") {
    throw ApiError(415, "Validation",
                   fmt::format("Content-Type {} is not one /invocations takes (application/json, "
                               "text/csv)",
                               type));
  }
  PredictRequest r;
  r.inputs = csv_records(body);
  if (r.inputs.empty()) throw invalid_request("the text/csv body has no sentences");
  check_client_batch(r.inputs.size(), max_inputs);
  r.batched = true;  // a list per record, as /predict answers a list of inputs
  return r;
}

std::optional<int> sagemaker_bind_port() {
  const char* text = std::getenv("SAGEMAKER_BIND_TO_PORT");
  if (text == nullptr) return std::nullopt;
  const std::string_view value(text);
  int port = -1;
  const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), port);
  if (error != std::errc() || end != value.data() + value.size() || port < 1 || port > 65535) {
    throw UsageError(fmt::format("SAGEMAKER_BIND_TO_PORT={} is not a port (1-65535)", value));
  }
  return port;
}

}  // namespace cola::serve

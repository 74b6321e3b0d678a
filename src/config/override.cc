#include "config/override.h"

#include <fmt/format.h>

#include "core/error.h"

namespace cola::config {
namespace {

bool valid_key(std::string_view key) {
  if (key.empty() || key.front() == '.' || key.back() == '.') return false;
  for (size_t i = 0; i < key.size(); ++i) {
    const char c = key[i];
    const bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' ||
                    c == '/' || c == '@' || (c == '.' && key[i + 1] != '.');
    if (!ok) return false;
  }
  return true;
}

}  // namespace

std::vector<std::string> split_top_level(std::string_view value, char separator) {
  std::vector<std::string> parts;
  std::string current;
  int depth = 0;
  char quote = 0;
  for (const char c : value) {
    if (quote != 0) {
      if (c == quote) quote = 0;
    } else if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == '[' || c == '{' || c == '(') {
      ++depth;
    } else if (c == ']' || c == '}' || c == ')') {
      --depth;
    } else if (c == separator && depth == 0) {
      parts.push_back(current);
      current.clear();
      continue;
    }
    current += c;
  }
  parts.push_back(current);
  return parts;
}

Override parse_override(std::string_view text) {
  Override o;
  o.text = std::string(text);
  std::string_view rest = text;
  if (rest.starts_with("++")) {
    o.kind = OverrideKind::force;
    rest.remove_prefix(2);
  } else if (rest.starts_with('+')) {
    o.kind = OverrideKind::add;
    rest.remove_prefix(1);
  } else if (rest.starts_with('~')) {
    o.kind = OverrideKind::remove;
    rest.remove_prefix(1);
  }
  const auto eq = rest.find('=');
  o.key = std::string(rest.substr(0, eq));
  if (!valid_key(o.key)) {
    throw UsageError(fmt::format(
        "invalid override '{}': expected key=value, +key=value, ++key=value or ~key", text));
  }
  if (eq == std::string_view::npos) {
    if (o.kind != OverrideKind::remove) {
      throw UsageError(
          fmt::format("invalid override '{}': missing '=value' (to remove a key, "
                      "write ~{})",
                      text, o.key));
    }
    return o;
  }
  o.has_value = true;
  o.value = std::string(rest.substr(eq + 1));
  const bool function_sweep = o.value.starts_with("range(") || o.value.starts_with("choice(");
  auto parts = split_top_level(o.value);
  if (parts.size() > 1 || function_sweep) o.sweep = std::move(parts);
  return o;
}

}  // namespace cola::config

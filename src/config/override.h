#pragma once
// Hydra's command-line override grammar:
//   key=value     set an existing key (or choose a group option: model=bert-mini)
//   +key=value    add a key that does not exist yet (or append a group: +experiment=x)
//   ++key=value   add or set
//   ~key, ~key=v  remove a key (only if its value is v) or a group from the defaults list
// Values are YAML: 3, 1e-3, true, null, 'quoted text', [1,2], {a: 1}. An unquoted top-level
// comma makes a sweep (a=1,2), which only multirun accepts.
#include <string>
#include <string_view>
#include <vector>

namespace cola::config {

enum class OverrideKind { set, add, force, remove };

struct Override {
  OverrideKind kind = OverrideKind::set;
  std::string key;                 // dotted path, e.g. training.max_epochs
  std::string value;               // raw value text (YAML); empty for a bare ~key
  bool has_value = false;          // false only for a bare ~key
  std::vector<std::string> sweep;  // a=1,2 → {"1","2"}; empty when not a sweep
  std::string text;                // the override as typed, for error messages
};

/// Parses one override; throws UsageError quoting the text on a malformed one.
Override parse_override(std::string_view text);

/// Splits `value` on commas outside brackets, braces, parentheses and quotes.
std::vector<std::string> split_top_level(std::string_view value, char separator = ',');

}  // namespace cola::config

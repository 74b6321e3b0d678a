#pragma once
// Dotted-path access to a yaml-cpp tree. yaml-cpp's non-const operator[] silently inserts missing
// keys, so every lookup here goes through const nodes.
#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cola::config {

/// Splits "a.b.c" into {"a","b","c"}.
std::vector<std::string> split_path(std::string_view path);

/// The node at `path`, or an undefined node when any step is missing. Sequence steps are indices.
YAML::Node find(const YAML::Node& root, std::string_view path);

/// Sets `path` to `value`, creating intermediate maps; throws UsageError if a step is a scalar.
void assign(YAML::Node& root, std::string_view path, const YAML::Node& value);

/// Removes the key at `path`; returns false when it was not there.
bool erase(YAML::Node& root, std::string_view path);

/// Every key path in the tree (maps only), in document order: "a", "a.b", ...
std::vector<std::string> key_paths(const YAML::Node& root);

/// Recursively merges `src` into `dst`: maps merge key by key, anything else is replaced by a
/// deep copy of the source value.
void merge(YAML::Node& dst, const YAML::Node& src);

/// Parses an override value as YAML ("3", "[1,2]", "'a b'"); unparsable text stays a string.
YAML::Node parse_value(const std::string& text);

/// Emits a tree as block-style YAML, ending with a newline.
std::string to_yaml(const YAML::Node& root);

/// "file:line:col" for a node loaded from `file`, or just `file` when the node has no mark.
std::string where(const std::string& file, const YAML::Node& node);

}  // namespace cola::config

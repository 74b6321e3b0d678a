#include "config/tree.h"

#include <fmt/format.h>

#include "core/error.h"

namespace cola::config {

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= path.size()) {
    const auto dot = path.find('.', start);
    const auto end = dot == std::string_view::npos ? path.size() : dot;
    parts.emplace_back(path.substr(start, end - start));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return parts;
}

namespace {

// Child of a const node by key or sequence index; undefined if absent.
// (A const lookup of a missing key yields an invalid "zombie" node that throws on most uses, so
// it is replaced by a plain undefined node.)
YAML::Node child(const YAML::Node& node, const std::string& key) {
  if (node.IsMap()) {
    YAML::Node value = node[key];
    return value.IsDefined() ? value : YAML::Node(YAML::NodeType::Undefined);
  }
  if (node.IsSequence() && !key.empty() &&
      key.find_first_not_of("0123456789") == std::string::npos) {
    const size_t index = std::stoul(key);
    if (index < node.size()) return node[index];
  }
  return YAML::Node(YAML::NodeType::Undefined);
}

void collect_paths(const YAML::Node& node, const std::string& prefix,
                   std::vector<std::string>& out) {
  if (!node.IsMap()) return;
  for (const auto& kv : node) {
    const auto path = prefix.empty() ? kv.first.Scalar() : prefix + "." + kv.first.Scalar();
    out.push_back(path);
    collect_paths(kv.second, path, out);
  }
}

}  // namespace

YAML::Node find(const YAML::Node& root, std::string_view path) {
  YAML::Node node = root;
  for (const auto& key : split_path(path)) {
    if (!node.IsDefined() || node.IsNull()) return YAML::Node(YAML::NodeType::Undefined);
    node.reset(child(node, key));  // reset, not =: assignment would overwrite the parent's value
  }
  return node;
}

void assign(YAML::Node& root, std::string_view path, const YAML::Node& value) {
  const auto keys = split_path(path);
  YAML::Node node = root;
  for (size_t i = 0; i + 1 < keys.size(); ++i) {
    const YAML::Node& const_node = node;
    YAML::Node next = const_node[keys[i]];
    if (!next.IsDefined() || next.IsNull()) {
      node[keys[i]] = YAML::Node(YAML::NodeType::Map);
    } else if (!next.IsMap()) {
      throw UsageError(fmt::format(
          "cannot set '{}': '{}' is not a map", path,
          fmt::join(keys.begin(), keys.begin() + static_cast<std::ptrdiff_t>(i) + 1, ".")));
    }
    node.reset(node[keys[i]]);
  }
  node[keys.back()] = YAML::Clone(value);  // a copy, so the tree never aliases the caller's node
}

bool erase(YAML::Node& root, std::string_view path) {
  const auto keys = split_path(path);
  const auto parent_path = fmt::format("{}", fmt::join(keys.begin(), keys.end() - 1, "."));
  YAML::Node parent = keys.size() == 1 ? root : find(root, parent_path);
  if (!parent.IsDefined() || !parent.IsMap() || !find(root, path).IsDefined()) return false;
  return parent.remove(keys.back());
}

std::vector<std::string> key_paths(const YAML::Node& root) {
  std::vector<std::string> out;
  collect_paths(root, "", out);
  return out;
}

void merge(YAML::Node& dst, const YAML::Node& src) {
  if (!src.IsMap() || !dst.IsMap()) {
    dst = YAML::Clone(src);
    return;
  }
  for (const auto& kv : src) {
    const auto& key = kv.first.Scalar();
    const YAML::Node& const_dst = dst;
    YAML::Node existing = const_dst[key];
    if (existing.IsDefined() && existing.IsMap() && kv.second.IsMap()) {
      YAML::Node target = dst[key];
      merge(target, kv.second);
    } else {
      dst[key] = YAML::Clone(kv.second);
    }
  }
}

YAML::Node parse_value(const std::string& text) {
  if (text.empty()) return YAML::Node(std::string());
  try {
    YAML::Node node = YAML::Load(text);
    if (node.IsDefined()) return node;
  } catch (const YAML::Exception&) {
    // Not valid YAML on its own (e.g. "a: b: c"): keep it as the literal string it was typed as.
  }
  return YAML::Node(text);
}

std::string to_yaml(const YAML::Node& root) {
  YAML::Emitter out;
  out << root;
  return std::string(out.c_str()) + "\n";
}

std::string where(const std::string& file, const YAML::Node& node) {
  const auto mark = node.Mark();
  if (mark.is_null()) return file;
  return fmt::format("{}:{}:{}", file, mark.line + 1, mark.column + 1);
}

}  // namespace cola::config

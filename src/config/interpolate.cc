#include "config/interpolate.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <string>
#include <vector>

#include "config/override.h"
#include "config/tree.h"
#include "core/error.h"

namespace cola::config {
namespace {

constexpr std::string_view kResolvers = "oc.env, now, cola.config_dir";

// Position of the '}' closing the '{' at `open`, or npos.
size_t closing_brace(std::string_view text, size_t open) {
  int depth = 0;
  for (size_t i = open; i < text.size(); ++i) {
    if (text[i] == '{') ++depth;
    if (text[i] == '}' && --depth == 0) return i;
  }
  return std::string_view::npos;
}

std::string trim_unquote(std::string_view s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return "";
  const auto e = s.find_last_not_of(" \t");
  std::string out(s.substr(b, e - b + 1));
  if (out.size() >= 2 && (out.front() == '\'' || out.front() == '"') && out.back() == out.front())
    out = out.substr(1, out.size() - 2);
  return out;
}

class Resolver {
 public:
  // yaml-cpp nodes are handles: root_ refers to the caller's tree, which is resolved in place.
  Resolver(const YAML::Node& root, const ResolveContext& context) : root_(root), ctx_(context) {}

  // Resolves every scalar below `node` (whose path is `path`) in place.
  void walk(YAML::Node node, const std::string& path) {
    if (node.IsMap()) {
      for (auto kv : node) walk_child(kv.second, join(path, kv.first.Scalar()));
    } else if (node.IsSequence()) {
      for (size_t i = 0; i < node.size(); ++i) walk_child(node[i], join(path, std::to_string(i)));
    }
  }

 private:
  static std::string join(const std::string& a, const std::string& b) {
    return a.empty() ? b : a + "." + b;
  }

  void walk_child(YAML::Node child, const std::string& path) {
    if (child.IsScalar()) {
      if (child.Scalar().find("${") != std::string::npos) child = resolve_at(path);
    } else {
      walk(child, path);
    }
  }

  // The fully resolved value at `path`, written back into the tree (memoised).
  YAML::Node resolve_at(const std::string& path) {
    YAML::Node node = find(root_, path);
    if (!node.IsScalar() || node.Scalar().find("${") == std::string::npos) return node;
    if (std::find(stack_.begin(), stack_.end(), path) != stack_.end()) {
      stack_.push_back(path);
      throw UsageError(fmt::format("interpolation cycle: {}", fmt::join(stack_, " -> ")));
    }
    stack_.push_back(path);
    YAML::Node value = evaluate(node.Scalar(), path);
    stack_.pop_back();
    node = value;
    return value;
  }

  // Evaluates a scalar's text. A text that is exactly one ${key} takes the target's node (and
  // type); anything else becomes a string.
  YAML::Node evaluate(std::string_view text, const std::string& path) {
    if (text.starts_with("${") && closing_brace(text, 1) == text.size() - 1) {
      return evaluate_body(text.substr(2, text.size() - 3), path);
    }
    return YAML::Node(substitute(text, path));
  }

  std::string substitute(std::string_view text, const std::string& path) {
    std::string out;
    for (size_t i = 0; i < text.size();) {
      if (text.compare(i, 3, "\\${") == 0) {
        out += "${";
        i += 3;
      } else if (text.compare(i, 2, "${") == 0) {
        const size_t close = closing_brace(text, i + 1);
        if (close == std::string_view::npos)
          throw UsageError(fmt::format("{}: unterminated interpolation in '{}'", path, text));
        const YAML::Node value = evaluate_body(text.substr(i + 2, close - i - 2), path);
        if (!value.IsScalar() && !value.IsNull()) {
          throw UsageError(
              fmt::format("{}: '{}' refers to a map or list, which cannot be embedded "
                          "in a string",
                          path, text.substr(i, close - i + 1)));
        }
        out += value.IsNull() ? "null" : value.Scalar();
        i = close + 1;
      } else {
        out += text[i++];
      }
    }
    return out;
  }

  YAML::Node evaluate_body(std::string_view body, const std::string& path) {
    const auto colon = body.find(':');
    const auto nested = body.find("${");
    if (colon != std::string_view::npos && (nested == std::string_view::npos || colon < nested)) {
      return call_resolver(std::string(body.substr(0, colon)), body.substr(colon + 1), path);
    }
    return reference(std::string(body), path);
  }

  YAML::Node reference(const std::string& key, const std::string& path) {
    std::string target = key;
    if (key.starts_with('.')) {  // relative: one dot is the current map, each further dot goes up
      auto parts = split_path(path);
      const size_t dots = key.find_first_not_of('.');
      for (size_t i = 0; i < dots && !parts.empty(); ++i) parts.pop_back();
      target = fmt::format("{}", fmt::join(parts, "."));
      target = join(target, key.substr(dots));
    }
    if (!find(root_, target).IsDefined()) {
      throw UsageError(fmt::format("{}: interpolation '${{{}}}' refers to a missing key '{}'", path,
                                   key, target));
    }
    walk_child(find(root_, target), target);
    return YAML::Clone(find(root_, target));
  }

  YAML::Node call_resolver(const std::string& name, std::string_view raw_args,
                           const std::string& path) {
    std::vector<std::string> args;
    for (const auto& a : split_top_level(raw_args))
      args.push_back(trim_unquote(substitute(a, path)));
    if (name == "oc.env") return env(args, path);
    if (name == "now") return YAML::Node(format_now(args.empty() ? "" : args[0]));
    if (name == "cola.config_dir") return YAML::Node(ctx_.config_dir.string());
    throw UsageError(fmt::format("{}: unknown interpolation resolver '{}' (available: {})", path,
                                 name, kResolvers));
  }

  static YAML::Node env(const std::vector<std::string>& args, const std::string& path) {
    if (args.empty() || args[0].empty())
      throw UsageError(fmt::format("{}: ${{oc.env:...}} needs a variable name", path));
    if (const char* value = std::getenv(args[0].c_str()); value != nullptr)
      return YAML::Node(value);
    if (args.size() > 1) return parse_value(args[1]);
    throw UsageError(
        fmt::format("{}: environment variable '{}' is not set and has no default", path, args[0]));
  }

  std::string format_now(const std::string& pattern) const {
    const std::time_t t = std::chrono::system_clock::to_time_t(ctx_.now);
    std::tm local{};
    localtime_r(&t, &local);
    char buf[256];
    // The pattern comes from the config by design, as in Hydra's ${now:...}.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    const auto n = std::strftime(buf, sizeof buf,
                                 pattern.empty() ? "%Y-%m-%d_%H-%M-%S" : pattern.c_str(), &local);
#pragma GCC diagnostic pop
    return std::string(buf, n);
  }

  YAML::Node root_;
  const ResolveContext& ctx_;
  std::vector<std::string> stack_;  // keys being resolved, to report cycles
};

}  // namespace

void resolve_interpolations(YAML::Node& root, const ResolveContext& context) {
  Resolver(root, context).walk(root, "");
}

}  // namespace cola::config

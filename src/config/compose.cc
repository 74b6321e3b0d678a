#include "config/compose.h"

#include <fmt/format.h>

#include <algorithm>

#include "config/interpolate.h"
#include "config/override.h"
#include "config/tree.h"
#include "core/error.h"
#include "core/strings.h"

namespace cola::config {
namespace fs = std::filesystem;
namespace {

struct DefaultsEntry {
  std::string group;  // empty for _self_
  std::string option;
};

}  // namespace

YAML::Node load_yaml_file(const fs::path& file) {
  try {
    YAML::Node node = YAML::LoadFile(file.string());
    return node.IsNull() ? YAML::Node(YAML::NodeType::Map) : node;
  } catch (const YAML::BadFile&) {
    throw UsageError(fmt::format("{}: cannot open config file", file.string()));
  } catch (const YAML::ParserException& e) {
    throw UsageError(
        fmt::format("{}:{}:{}: {}", file.string(), e.mark.line + 1, e.mark.column + 1, e.msg));
  }
}

namespace {

std::vector<DefaultsEntry> parse_defaults(const YAML::Node& list, const std::string& file) {
  std::vector<DefaultsEntry> entries;
  if (!list.IsDefined() || list.IsNull()) return entries;
  if (!list.IsSequence()) throw UsageError(where(file, list) + ": 'defaults' must be a list");
  for (const auto& item : list) {
    if (item.IsScalar() && item.Scalar() == "_self_") {
      entries.push_back({"", ""});
    } else if (item.IsMap() && item.size() == 1) {
      const auto kv = *item.begin();
      if (!kv.second.IsNull()) entries.push_back({kv.first.Scalar(), kv.second.Scalar()});
    } else {
      throw UsageError(where(file, item) + ": a defaults entry is '_self_' or 'group: option'");
    }
  }
  if (std::none_of(entries.begin(), entries.end(), [](auto& e) { return e.group.empty(); })) {
    entries.push_back({"", ""});  // Hydra 1.1+: the primary config's own keys win over its groups
  }
  return entries;
}

void check_option_exists(const fs::path& dir, const DefaultsEntry& e, const std::string& origin) {
  if (fs::is_regular_file(dir / e.group / (e.option + ".yaml"))) return;
  throw UsageError(fmt::format("{}: could not find '{}/{}'; available options in '{}': {}", origin,
                               e.group, e.option, e.group,
                               join(group_options(dir, e.group), ", ")));
}

// Applies the overrides that name a config group (model=bert-mini, +group=x, ~group) to the
// defaults list, and returns the others, which set values.
std::vector<Override> apply_group_overrides(std::vector<DefaultsEntry>& defaults,
                                            const std::vector<Override>& overrides,
                                            const fs::path& dir) {
  std::vector<Override> values;
  for (const auto& o : overrides) {
    if (!fs::is_directory(dir / o.key)) {
      values.push_back(o);
      continue;
    }
    auto it =
        std::find_if(defaults.begin(), defaults.end(), [&](auto& e) { return e.group == o.key; });
    const bool present = it != defaults.end();
    if (o.kind == OverrideKind::remove) {
      if (!present)
        throw UsageError(fmt::format("{}: group '{}' is not in the defaults list", o.text, o.key));
      defaults.erase(it);
      continue;
    }
    if (o.kind == OverrideKind::set && !present) {
      throw UsageError(
          fmt::format("{}: group '{}' is not in the defaults list; to append it use "
                      "+{}={}",
                      o.text, o.key, o.key, o.value));
    }
    if (o.kind == OverrideKind::add && present) {
      throw UsageError(
          fmt::format("{}: group '{}' is already in the defaults list; to change it use "
                      "{}={}",
                      o.text, o.key, o.key, o.value));
    }
    const DefaultsEntry entry{o.key, o.value};
    check_option_exists(dir, entry, o.text);
    if (present) {
      it->option = o.value;
    } else {
      defaults.push_back(entry);
    }
  }
  return values;
}

std::string unknown_key_hint(const YAML::Node& tree, const Override& o) {
  std::string hint = fmt::format("; use '+{}={}' to add it", o.key, o.value);
  if (const auto close = closest_match(o.key, key_paths(tree))) {
    hint += fmt::format("; did you mean '{}'?", *close);
  }
  return hint;
}

void apply_value_override(YAML::Node& tree, const Override& o) {
  const bool exists = find(tree, o.key).IsDefined();
  switch (o.kind) {
    case OverrideKind::set:
      if (!exists)
        throw UsageError(fmt::format("could not override '{}': key not found{}", o.key,
                                     unknown_key_hint(tree, o)));
      break;
    case OverrideKind::add:
      if (exists)
        throw UsageError(
            fmt::format("could not add '{}': the key already exists; to change it use "
                        "'{}={}'",
                        o.key, o.key, o.value));
      break;
    case OverrideKind::force:
      break;
    case OverrideKind::remove:
      if (!exists) {
        auto hint = closest_match(o.key, key_paths(tree));
        throw UsageError(fmt::format("could not remove '{}': key not found{}", o.key,
                                     hint ? fmt::format("; did you mean '{}'?", *hint) : ""));
      }
      if (o.has_value && YAML::Dump(find(tree, o.key)) != YAML::Dump(parse_value(o.value)))
        throw UsageError(
            fmt::format("could not remove '{}': its value is not '{}'", o.key, o.value));
      erase(tree, o.key);
      return;
  }
  assign(tree, o.key, parse_value(o.value));
}

// A group option's file with its own defaults list applied. As in Hydra, an option may start from
// siblings in its group: inference/latency.yaml says `defaults: [default, _self_]` and then sets
// only what differs.
YAML::Node load_option(const fs::path& dir, const DefaultsEntry& e, int depth = 0) {
  const fs::path file = dir / e.group / (e.option + ".yaml");
  YAML::Node self = load_yaml_file(file);
  const YAML::Node list = YAML::Node(self)["defaults"];
  if (!list.IsDefined() || list.IsNull()) return self;
  self.remove("defaults");
  if (!list.IsSequence())
    throw UsageError(where(file.string(), list) + ": 'defaults' must be a list");
  if (depth >= 8) throw UsageError(file.string() + ": defaults nest more than 8 deep (a cycle?)");
  YAML::Node result(YAML::NodeType::Map);
  bool merged_self = false;
  for (const auto& item : list) {
    if (!item.IsScalar()) {
      throw UsageError(where(file.string(), item) +
                       ": a defaults entry of a group option is '_self_' or another option of "
                       "the same group");
    }
    if (item.Scalar() == "_self_") {
      merge(result, self);
      merged_self = true;
      continue;
    }
    const DefaultsEntry base{e.group, item.Scalar()};
    check_option_exists(dir, base, where(file.string(), item));
    merge(result, load_option(dir, base, depth + 1));
  }
  if (!merged_self) merge(result, self);
  return result;
}

YAML::Node build_tree(const std::vector<DefaultsEntry>& defaults, const YAML::Node& self,
                      const fs::path& dir) {
  YAML::Node tree(YAML::NodeType::Map);
  for (const auto& e : defaults) {
    if (e.group.empty()) {
      merge(tree, self);
      continue;
    }
    YAML::Node package(YAML::NodeType::Map);
    assign(package, e.group, load_option(dir, e));
    merge(tree, package);
  }
  return tree;
}

}  // namespace

std::vector<std::string> group_options(const fs::path& config_dir, const std::string& group) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(config_dir / group, ec)) {
    if (entry.path().extension() == ".yaml") names.push_back(entry.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

Composed compose(const ComposeOptions& options) {
  const fs::path dir = fs::absolute(options.config_dir).lexically_normal();
  const fs::path primary = dir / (options.config_name + ".yaml");
  YAML::Node self = load_yaml_file(primary);
  auto defaults = parse_defaults(self["defaults"], primary.string());
  self.remove("defaults");

  std::vector<Override> overrides;
  for (const auto& text : options.overrides) {
    Override o = parse_override(text);
    if (!o.sweep.empty()) {
      throw UsageError(
          fmt::format("'{}' is a sweep; run it with -m/--multirun, or write a list as "
                      "{}=[{}]",
                      o.text, o.key, o.value));
    }
    overrides.push_back(std::move(o));
  }
  const auto value_overrides = apply_group_overrides(defaults, overrides, dir);
  for (const auto& e : defaults) {
    if (!e.group.empty()) check_option_exists(dir, e, primary.string());
  }

  Composed result;
  result.tree = build_tree(defaults, self, dir);
  for (const auto& o : value_overrides) apply_value_override(result.tree, o);
  resolve_interpolations(result.tree, {dir, options.now});
  for (const auto& e : defaults) {
    if (!e.group.empty()) result.choices.push_back({e.group, e.option});
  }
  return result;
}

}  // namespace cola::config

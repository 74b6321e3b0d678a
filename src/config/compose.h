#pragma once
// Hydra-style composition: the primary config's `defaults:` list picks one option per group
// (configs/<group>/<option>.yaml, placed under the key <group>), `_self_` marks where the primary
// config's own keys merge (at the end when absent), then command-line overrides apply in order,
// then interpolations resolve. A group option may have its own defaults list naming other options
// of its group (`defaults: [default, _self_]`), merged before or after its keys as `_self_` says.
#include <yaml-cpp/yaml.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace cola::config {

struct ComposeOptions {
  std::filesystem::path config_dir;    // holds <config_name>.yaml and the group folders
  std::string config_name = "config";  // primary config file, without .yaml
  std::vector<std::string> overrides;  // as typed on the command line
  std::chrono::system_clock::time_point now = std::chrono::system_clock::now();  // for ${now:}
};

/// One group choice of the final defaults list, e.g. {"model", "bert-mini"}.
struct GroupChoice {
  std::string group;
  std::string option;
};

struct Composed {
  YAML::Node tree;                   // the resolved configuration
  std::vector<GroupChoice> choices;  // what each group resolved to
};

/// Composes and resolves the configuration. Throws UsageError naming the file, key or override
/// at fault.
Composed compose(const ComposeOptions& options);

/// A YAML file (an empty one is an empty map). Throws UsageError naming the file, with the line
/// and column of a syntax error.
YAML::Node load_yaml_file(const std::filesystem::path& file);

/// The options available in a group (the .yaml files in config_dir/<group>), sorted.
std::vector<std::string> group_options(const std::filesystem::path& config_dir,
                                       const std::string& group);

}  // namespace cola::config

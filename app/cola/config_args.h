#pragma once
// The flags every config-driven subcommand shares: Hydra-style overrides, --cfg, --config-dir.
#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <vector>

#include "config/schema.h"

namespace cola::app {

struct ConfigArgs {
  std::string config_dir;              // directory with config.yaml; empty = search (see .cc)
  std::string config_name = "config";  // primary config file, without .yaml
  std::vector<std::string> overrides;  // key=value, +key=value, ++key=value, ~key, group=option
  bool print_cfg = false;              // --cfg: print the resolved config and exit
};

/// How a command takes overrides: as its positional arguments (Hydra's way), or as repeated
/// `--set KEY=VALUE` where the positionals are something else (`cola predict`'s sentences).
enum class OverrideStyle { kPositional, kSetFlag };

/// Adds --config-dir, --config-name, --cfg and the overrides to `cmd`.
void add_config_args(CLI::App& cmd, ConfigArgs& args,
                     OverrideStyle style = OverrideStyle::kPositional);

/// Composes, resolves and binds the config. With --cfg, prints the resolved YAML to stdout and
/// returns nullopt (the caller then returns without doing its work). `resolved_yaml`, when given,
/// receives the resolved config as YAML (for the run's record).
std::optional<config::AppConfig> load_config(const ConfigArgs& args,
                                             std::string* resolved_yaml = nullptr);

}  // namespace cola::app

#include "app/cola/config_args.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "app/cola/version.h"
#include "config/bind.h"
#include "config/compose.h"
#include "config/tree.h"
#include "core/error.h"
#include "core/install_dirs.h"

namespace cola::app {
namespace fs = std::filesystem;
namespace {

// --config-dir, else $COLA_CONFIG_DIR, else ./configs, else an installed cola's share/cola/configs,
// else the source tree's configs/ (so the tool works from any directory of a checkout).
fs::path find_config_dir(const ConfigArgs& args) {
  if (!args.config_dir.empty()) return args.config_dir;
  if (const char* env = std::getenv("COLA_CONFIG_DIR"); env != nullptr && *env != '\0') return env;
  fs::path local = fs::current_path() / "configs";
  if (fs::is_regular_file(local / (args.config_name + ".yaml"))) return local;
  if (const auto data_dir = core::installed_data_dir()) return *data_dir / "configs";
  return source_dir() / "configs";
}

}  // namespace

void add_config_args(CLI::App& cmd, ConfigArgs& args, OverrideStyle style) {
  constexpr const char* kHelp =
      "Config overrides: key=value, +key=value, ++key=value, ~key, group=option";
  if (style == OverrideStyle::kPositional) {
    cmd.add_option("overrides", args.overrides, kHelp);
  } else {
    // One value per --set, so the positionals after it stay positionals.
    cmd.add_option("--set", args.overrides, std::string(kHelp) + " (repeat --set for each)")
        ->allow_extra_args(false);
  }
  cmd.add_option(
      "--config-dir", args.config_dir,
      "Directory with config.yaml (default: $COLA_CONFIG_DIR, ./configs, the installed or the "
      "checkout's)");
  cmd.add_option("--config-name", args.config_name, "Primary config file, without .yaml")
      ->capture_default_str();
  cmd.add_flag("--cfg", args.print_cfg, "Print the resolved config and exit");
}

std::optional<config::AppConfig> load_config(const ConfigArgs& args, std::string* resolved_yaml) {
  config::ComposeOptions options;
  options.config_dir = find_config_dir(args);
  options.config_name = args.config_name;
  options.overrides = args.overrides;
  const auto composed = config::compose(options);
  auto bound = config::bind_app_config(composed.tree);  // validates before anything is printed
  if (resolved_yaml != nullptr) *resolved_yaml = config::to_yaml(composed.tree);
  if (args.print_cfg) {
    std::fputs(config::to_yaml(composed.tree).c_str(), stdout);
    return std::nullopt;
  }
  return bound;
}

}  // namespace cola::app

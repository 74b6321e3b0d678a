#pragma once
// OmegaConf-style interpolation, resolved once after composition and overrides:
//   ${a.b}                  the value at a.b (a map or list too, when it is the whole value)
//   ${.sibling} ${..uncle}  relative to the key being resolved
//   ${oc.env:VAR,default}   an environment variable (an error if unset and no default)
//   ${now:%Y-%m-%d}         the composition time, strftime-formatted (the same instant everywhere)
//   ${cola.config_dir:}     the absolute config directory (to find files that sit beside it)
//   \${...}                 a literal "${...}"
#include <yaml-cpp/yaml.h>

#include <chrono>
#include <filesystem>

namespace cola::config {

struct ResolveContext {
  std::filesystem::path config_dir;           // for ${cola.config_dir:}
  std::chrono::system_clock::time_point now;  // for ${now:...}
};

/// Replaces every interpolation in the tree by its value. Throws UsageError naming the key at
/// fault for a missing target, an unknown resolver, an unset variable or a cycle.
void resolve_interpolations(YAML::Node& root, const ResolveContext& context);

}  // namespace cola::config

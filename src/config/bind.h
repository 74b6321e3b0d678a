#pragma once
// Maps a resolved config tree onto the plain structs of schema.h. Every key must be known: an
// unknown one is a UsageError naming its path and the closest valid key; a value of the wrong type
// names the path and the expected type.
#include <yaml-cpp/yaml.h>

#include "config/schema.h"

namespace cola::config {

/// Binds the whole tree (top-level keys: seed, hydra, model, data, training, inference, serve).
AppConfig bind_app_config(const YAML::Node& tree);

/// Throws UsageError naming serve.<key> for a value out of range (a non-positive limit or timeout,
/// a port outside 0-65535, a model_name with '/'). bind_app_config calls it; so does `cola serve`
/// once its flags have replaced the config's values.
void check_serve(const ServeConfig& serve);

}  // namespace cola::config

#pragma once
// Maps a resolved config tree onto the plain structs of schema.h. Every key must be known: an
// unknown one is a UsageError naming its path and the closest valid key; a value of the wrong type
// names the path and the expected type.
#include <yaml-cpp/yaml.h>

#include "config/schema.h"

namespace cola::config {

/// Binds the whole tree (top-level keys: seed, hydra, model, data, training, inference, serve).
AppConfig bind_app_config(const YAML::Node& tree);

}  // namespace cola::config

#pragma once
#include <filesystem>

namespace cola::bench {

/// The reference data: $COLA_SHARED_DIR, else <repo>/../shared.
std::filesystem::path shared_dir();

}  // namespace cola::bench

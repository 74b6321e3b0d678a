// The one bench file compiled with the checkout's path (COLA_SOURCE_DIR): a define on every bench
// would make each of them, and their precompiled headers, miss ccache in a clone at another path.
#include "shared_dir.h"

#include <cstdlib>

namespace cola::bench {

std::filesystem::path shared_dir() {
  const char* env = std::getenv("COLA_SHARED_DIR");
  return (env != nullptr && *env != '\0')
             ? std::filesystem::path(env)
             : std::filesystem::path(COLA_SOURCE_DIR) / ".." / "shared";
}

}  // namespace cola::bench

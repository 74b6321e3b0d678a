#include "support/shared_data.h"

#include <cstdlib>
#include <random>

namespace cola::test {
namespace fs = std::filesystem;

fs::path source_dir() { return COLA_SOURCE_DIR; }

std::optional<fs::path> shared_dir() {
  const char* env = std::getenv("COLA_SHARED_DIR");
  fs::path dir = (env != nullptr && *env != '\0') ? fs::path(env) : source_dir() / ".." / "shared";
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return std::nullopt;
  return fs::weakly_canonical(dir);
}

bool shared_required() {
  const char* env = std::getenv("COLA_REQUIRE_SHARED");
  return env != nullptr && std::string(env) == "1";
}

TempDir::TempDir() {
  std::random_device rd;
  path_ = fs::temp_directory_path() / ("cola-test-" + std::to_string(rd()) + std::to_string(rd()));
  fs::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

}  // namespace cola::test

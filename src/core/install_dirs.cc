#include "core/install_dirs.h"

#include <system_error>

namespace cola::core {
namespace fs = std::filesystem;
namespace {

// COLA_INSTALL_PKGLIBDIR and COLA_INSTALL_PKGDATADIR come from cmake/InstallLayout.cmake, which
// also installs the files there: one place names the layout.
std::optional<fs::path> beside_executable(const char* relative) {
  const fs::path exe = executable_path();
  if (exe.empty()) return std::nullopt;
  const fs::path dir = (exe.parent_path() / ".." / relative).lexically_normal();
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return std::nullopt;
  return dir;
}

}  // namespace

fs::path executable_path() {
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::path() : exe;
}

std::optional<fs::path> installed_lib_dir() { return beside_executable(COLA_INSTALL_PKGLIBDIR); }

std::optional<fs::path> installed_data_dir() { return beside_executable(COLA_INSTALL_PKGDATADIR); }

}  // namespace cola::core

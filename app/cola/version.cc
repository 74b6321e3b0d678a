#include "app/cola/version.h"

#include <fmt/format.h>

#include "core/install_dirs.h"
#include "runtime/ort_info.h"
#include "track/manifest.h"
#ifdef COLA_WITH_TORCH
#include <torch/version.h>  // a tiny header: just the version macros, not LibTorch itself
#endif

namespace cola::app {

std::string version_string() {
  std::string s =
      fmt::format("cola {} (ONNX Runtime {}", COLA_VERSION, runtime::onnxruntime_version());
#ifdef COLA_WITH_TORCH
  s += fmt::format(", LibTorch {}", TORCH_VERSION);
#endif
  return s + ")";
}

std::filesystem::path source_dir() { return COLA_SOURCE_DIR; }

std::string code_version() {
  if (core::installed_data_dir()) return fmt::format("cola {}", COLA_VERSION);
  return track::git_describe(source_dir());
}

}  // namespace cola::app

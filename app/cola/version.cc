#include "app/cola/version.h"

#include <fmt/format.h>

#include "runtime/ort_info.h"
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

}  // namespace cola::app

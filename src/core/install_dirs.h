#pragma once
// Where an installed cola finds its own files. `make package` lays the Debian package out as
//   /usr/bin/cola                 the CLI
//   /usr/lib/cola/                its libraries, the LibTorch plugin and ONNX Runtime's library
//   /usr/share/cola/              the default configs and onnxruntime-web's files
// and these are found relative to the running executable, so the tree may be installed under any
// prefix. In a build tree none of them exist, and callers fall back to the checkout's files.
#include <filesystem>
#include <optional>

namespace cola::core {

/// The running executable (/proc/self/exe), or empty where it cannot be read.
std::filesystem::path executable_path();

/// <exe>/../lib/cola when it is a directory: an installed cola's plugin and libraries.
std::optional<std::filesystem::path> installed_lib_dir();

/// <exe>/../share/cola when it is a directory: an installed cola's configs and web files.
std::optional<std::filesystem::path> installed_data_dir();

}  // namespace cola::core

#pragma once
#include <filesystem>
#include <string>

namespace cola::app {

/// "cola 0.1.0 (ONNX Runtime 1.30.0, LibTorch 1.13.1)": the tool's and its runtimes' versions.
std::string version_string();

/// The checkout cola was built from: its default configs/ and the git describe of run manifests.
std::filesystem::path source_dir();

}  // namespace cola::app

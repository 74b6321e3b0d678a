#pragma once
#include <filesystem>
#include <string>

namespace cola::app {

/// "cola 0.1.0 (ONNX Runtime 1.30.0, LibTorch 1.13.1)": the tool's and its runtimes' versions.
std::string version_string();

/// The checkout cola was built from: its default configs/ and the git describe of run manifests.
std::filesystem::path source_dir();

/// What run manifests record as the code: the git describe of source_dir(), or "cola <version>"
/// for an installed cola, whose build checkout may be anywhere or nowhere.
std::string code_version();

}  // namespace cola::app

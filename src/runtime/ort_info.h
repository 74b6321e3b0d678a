#pragma once
#include <string>

namespace cola::runtime {

/// The version string of the ONNX Runtime library loaded at run time (e.g. "1.30.0").
std::string onnxruntime_version();

/// The C API version our headers were compiled against (ORT_API_VERSION).
int onnxruntime_api_version();

}  // namespace cola::runtime

#include "runtime/ort_info.h"

#include <onnxruntime_c_api.h>

namespace cola::runtime {

std::string onnxruntime_version() { return OrtGetApiBase()->GetVersionString(); }

int onnxruntime_api_version() { return ORT_API_VERSION; }

}  // namespace cola::runtime

#pragma once
#include <string>
#include <string_view>

#include "core/cpu.h"

namespace cola::runtime {

/// The version string of the ONNX Runtime library loaded at run time (e.g. "1.30.0").
std::string onnxruntime_version();

/// The C API version our headers were compiled against (ORT_API_VERSION).
int onnxruntime_api_version();

/// The kernel ONNX Runtime's MLAS runs int8 MatMuls with (u8 activations x s8 weights, what
/// DynamicQuantizeMatMul computes), as onnxruntime/core/mlas/lib/platform.cpp picks it from cpuid.
struct Int8Kernel {
  std::string name;  // "AVX2 VPMADDUBSW", "AVX-512 VNNI VPDPBUSD", ...
  /// VPMADDUBSW adds each pair of u8 x s8 products into 16 bits, saturating: 2 x 255 x 127
  /// overflows 32767 where 2 x 255 x 63 (7-bit weights, --reduce-range) does not. VNNI and AMX
  /// accumulate in 32 bits.
  bool saturates = false;

  /// The name, with "(16-bit saturating)" where it saturates.
  std::string label() const { return saturates ? name + " (16-bit saturating)" : name; }
};
Int8Kernel int8_kernel(const CpuInfo& cpu = cpu_info());

/// "AMD EPYC 7763 64-Core Processor (avx2); ONNX Runtime int8: AVX2 VPMADDUBSW (16-bit
/// saturating)": the line every figure is printed beside.
std::string describe_machine(const CpuInfo& cpu = cpu_info());

/// The warning for full-range (8-bit) int8 weights on a CPU whose kernel saturates; "" on one
/// that does not. `what` names the model or the command.
std::string full_range_warning(std::string_view what, const CpuInfo& cpu = cpu_info());

/// Logs full_range_warning once per process (the first model or command that meets it).
void warn_full_range_once(std::string_view what);

/// Whether a model's `quantization` metadata (graph/quantize.h's JSON) says full-range weights.
/// "" (fp32) and JSON that does not say are false: the warning is for what the file states.
bool is_full_range_int8(std::string_view quantization_json);

}  // namespace cola::runtime

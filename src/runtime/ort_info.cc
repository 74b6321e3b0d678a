#include "runtime/ort_info.h"

#include <fmt/format.h>
#include <onnxruntime_c_api.h>

#include <atomic>
#include <nlohmann/json.hpp>

#include "core/log.h"

namespace cola::runtime {

std::string onnxruntime_version() { return OrtGetApiBase()->GetVersionString(); }

int onnxruntime_api_version() { return ORT_API_VERSION; }

// MLAS's order: AVX2, then AVX-VNNI over it, then AVX-512 core and VNNI over those, then AMX over
// all (MlasGemmU8S8DispatchAmx, when the kernel grants the tile state; else AVX-512 VNNI, which
// every AMX CPU has).
Int8Kernel int8_kernel(const CpuInfo& cpu) {
  if (cpu.amx_int8) return {"AMX TDPBUSD", false};
  if (cpu.avx512_vnni) return {"AVX-512 VNNI VPDPBUSD", false};
  if (cpu.avx512_core) return {"AVX-512BW VPMADDUBSW", true};
  if (cpu.avx_vnni) return {"AVX-VNNI VPDPBUSD", false};
  if (cpu.avx2) return {"AVX2 VPMADDUBSW", true};
  return {"SSE 16-bit PMADDWD", false};  // widens to 16 bits first: no saturation
}

std::string describe_machine(const CpuInfo& cpu) {
  return fmt::format("{} ({}); ONNX Runtime int8: {}", cpu.model_name, cpu.flags(),
                     int8_kernel(cpu).label());
}

std::string full_range_warning(std::string_view what, const CpuInfo& cpu) {
  const auto k = int8_kernel(cpu);
  if (!k.saturates) return "";
  return fmt::format(
      "{}: full-range int8 weights on {} ({}, no VNNI): ONNX Runtime's int8 kernel here, {}, "
      "saturates its 16-bit sums of pairs of u8 x s8 products, so scores drift from fp32 "
      "further than on a VNNI CPU; --reduce-range (7-bit weights, the "
      "default) is exact on every CPU",
      what, cpu.model_name, cpu.flags(), k.name);
}

void warn_full_range_once(std::string_view what) {
  static std::atomic<bool> warned{false};
  const auto message = full_range_warning(what);
  if (message.empty() || warned.exchange(true)) return;
  log::warn("{}", message);
}

bool is_full_range_int8(std::string_view quantization_json) {
  if (quantization_json.empty()) return false;
  const auto j = nlohmann::json::parse(quantization_json, nullptr, false);
  if (!j.is_object()) return false;
  const auto it = j.find("reduce_range");
  return it != j.end() && it->is_boolean() && !it->get<bool>();
}

}  // namespace cola::runtime

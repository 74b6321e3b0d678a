#pragma once
// What this CPU is and which of its instructions matter to int8 inference, read with cpuid (and
// xgetbv, since an instruction set the OS does not save the state of cannot be used). Every
// figure cola prints names the CPU it came from, and int8's precision depends on these flags:
// see runtime/ort_info.h for the kernel ONNX Runtime picks from them.
#include <string>

namespace cola {

struct CpuInfo {
  std::string model_name;    // cpuid's brand string, e.g. "AMD EPYC 7763 64-Core Processor"
  bool avx2 = false;         // with FMA3 and OS support for the YMM state
  bool avx512_core = false;  // AVX-512 F, BW, DQ and VL, with OS support for the ZMM state
  bool avx512_vnni = false;  // VPDPBUSD on ZMM registers (Cascade Lake and later)
  bool avx_vnni = false;     // VPDPBUSD on YMM registers (Alder Lake, Zen 5)
  bool amx_int8 = false;     // AMX-TILE and AMX-INT8, with OS support for the tile state

  /// The flags set, as Linux's /proc/cpuinfo spells them: "avx2 avx512bw avx512_vnni".
  std::string flags() const;
};

/// This machine's CPU, read once.
const CpuInfo& cpu_info();

}  // namespace cola

#include "core/cpu.h"

#include <cpuid.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace cola {
namespace {

struct Regs {
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
};

Regs cpuid(unsigned leaf, unsigned subleaf = 0) {
  Regs r;
  if (__get_cpuid_count(leaf, subleaf, &r.eax, &r.ebx, &r.ecx, &r.edx) == 0) return {};
  return r;
}

bool bit(unsigned reg, int n) { return ((reg >> n) & 1U) != 0; }

// XCR0: which register states the OS saves on a context switch. xgetbv is valid only when
// cpuid says the OS enabled it (OSXSAVE).
uint64_t xcr0() {
  unsigned lo = 0;
  unsigned hi = 0;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  return (uint64_t{hi} << 32) | lo;
}

std::string brand_string() {
  if (cpuid(0x80000000).eax < 0x80000004) return "unknown x86-64 CPU";
  char brand[49] = {};
  for (size_t i = 0; i < 3; ++i) {  // 16 bytes a leaf, in eax, ebx, ecx, edx order (as Regs)
    const Regs r = cpuid(0x80000002 + static_cast<unsigned>(i));
    std::memcpy(brand + 16 * i, &r, 16);
  }
  std::string s(brand);
  const auto first = s.find_first_not_of(' ');
  const auto last = s.find_last_not_of(' ');
  return first == std::string::npos ? "unknown x86-64 CPU" : s.substr(first, last - first + 1);
}

// The same tests as ONNX Runtime's MLAS (onnxruntime/core/mlas/lib/platform.cpp), so that what
// cola reports is what ORT runs.
CpuInfo detect() {
  CpuInfo c;
  c.model_name = brand_string();
  const Regs l1 = cpuid(1);
  if (!bit(l1.ecx, 27) || !bit(l1.ecx, 28)) return c;  // OSXSAVE and AVX
  const uint64_t xcr = xcr0();
  if ((xcr & 0x6) != 0x6) return c;  // the OS saves neither XMM nor YMM
  const unsigned max_leaf = cpuid(0).eax;
  if (max_leaf < 7) return c;
  const Regs l7 = cpuid(7, 0);
  const Regs l7s1 = cpuid(7, 1);
  c.avx2 = bit(l1.ecx, 12) && bit(l7.ebx, 5);  // FMA3 and AVX2
  if (!c.avx2) return c;
  c.avx_vnni = bit(l7s1.eax, 4);
  const bool zmm_state = (xcr & 0xE0) == 0xE0;  // opmask, ZMM0-15 upper halves, ZMM16-31
  // F (16), DQ (17), BW (30), VL (31): MLAS's "AVX512 core".
  c.avx512_core = zmm_state && bit(l7.ebx, 16) && (l7.ebx & 0xC0020000U) == 0xC0020000U;
  c.avx512_vnni = c.avx512_core && bit(l7.ecx, 11);
  constexpr uint64_t kTileState = 0x60000;  // XTILECFG and XTILEDATA
  c.amx_int8 = bit(l7.edx, 24) && bit(l7.edx, 25) && (xcr & kTileState) == kTileState;
  return c;
}

}  // namespace

std::string CpuInfo::flags() const {
  std::string s;
  const auto add = [&s](bool on, const char* name) {
    if (!on) return;
    if (!s.empty()) s += ' ';
    s += name;
  };
  add(avx2, "avx2");
  add(avx512_core, "avx512bw");
  add(avx512_vnni, "avx512_vnni");
  add(avx_vnni, "avx_vnni");
  add(amx_int8, "amx_int8");
  return s.empty() ? "no avx2" : s;
}

const CpuInfo& cpu_info() {
  static const CpuInfo info = detect();
  return info;
}

}  // namespace cola

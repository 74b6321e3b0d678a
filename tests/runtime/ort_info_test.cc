#include "runtime/ort_info.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <set>
#include <sstream>

namespace cola::runtime {
namespace {

// The pinned library (scripts/fetch-onnxruntime.sh) is 1.30, and it serves API version 29, which
// our headers use. A wrong library on the RPATH would show up here.
TEST(OrtInfo, LoadsThePinnedLibraryThroughRpath) {
  EXPECT_EQ(onnxruntime_version().rfind("1.30", 0), 0u) << onnxruntime_version();
  EXPECT_EQ(onnxruntime_api_version(), 29);
}

// /proc/cpuinfo's flags for the first CPU: Linux's own reading of cpuid and XCR0.
std::set<std::string> linux_cpu_flags() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("flags", 0) != 0) continue;
    std::istringstream words(line.substr(line.find(':') + 1));
    return {std::istream_iterator<std::string>(words), std::istream_iterator<std::string>()};
  }
  return {};
}

// cpuid read by cola agrees with the kernel's reading, whatever this CPU is (Linux clears a flag
// whose state the OS does not save, as cola's xgetbv test does). A kernel older than the CPU may
// not know avx_vnni or AMX and list neither, so for those only what Linux lists must be seen.
TEST(CpuInfo, AgreesWithLinux) {
  const auto flags = linux_cpu_flags();
  ASSERT_FALSE(flags.empty()) << "no flags line in /proc/cpuinfo";
  const auto& cpu = cpu_info();
  EXPECT_FALSE(cpu.model_name.empty());
  EXPECT_EQ(cpu.avx2, flags.count("avx2") == 1) << cpu.flags();
  EXPECT_EQ(cpu.avx512_core, flags.count("avx512bw") == 1 && flags.count("avx512vl") == 1 &&
                                 flags.count("avx512dq") == 1)
      << cpu.flags();
  EXPECT_EQ(cpu.avx512_vnni, cpu.avx512_core && flags.count("avx512_vnni") == 1) << cpu.flags();
  if (flags.count("avx_vnni") == 1) {
    EXPECT_TRUE(cpu.avx_vnni) << cpu.flags();
  }
  if (flags.count("amx_int8") == 1 && flags.count("amx_tile") == 1) {
    EXPECT_TRUE(cpu.amx_int8) << cpu.flags();
  }
}

CpuInfo cpu(bool avx512_core, bool avx512_vnni, bool avx_vnni, bool amx) {
  CpuInfo c;
  c.model_name = "Test CPU";
  c.avx2 = true;
  c.avx512_core = avx512_core;
  c.avx512_vnni = avx512_vnni;
  c.avx_vnni = avx_vnni;
  c.amx_int8 = amx;
  return c;
}

// MLAS's order (platform.cpp): each later test overrides the earlier kernel.
TEST(Int8Kernel, PicksWhatOnnxRuntimePicks) {
  EXPECT_EQ(int8_kernel(cpu(false, false, false, false)).name, "AVX2 VPMADDUBSW");
  EXPECT_TRUE(int8_kernel(cpu(false, false, false, false)).saturates);
  EXPECT_EQ(int8_kernel(cpu(false, false, true, false)).name, "AVX-VNNI VPDPBUSD");
  EXPECT_FALSE(int8_kernel(cpu(false, false, true, false)).saturates);
  EXPECT_EQ(int8_kernel(cpu(true, false, false, false)).name, "AVX-512BW VPMADDUBSW");
  EXPECT_TRUE(int8_kernel(cpu(true, false, false, false)).saturates);
  EXPECT_EQ(int8_kernel(cpu(true, true, false, false)).name, "AVX-512 VNNI VPDPBUSD");
  EXPECT_FALSE(int8_kernel(cpu(true, true, true, false)).saturates);
  EXPECT_EQ(int8_kernel(cpu(true, true, true, true)).name, "AMX TDPBUSD");
  EXPECT_EQ(int8_kernel(cpu(true, false, false, false)).label(),
            "AVX-512BW VPMADDUBSW (16-bit saturating)");
}

TEST(Int8Kernel, FullRangeWarningNamesTheCpuTheSaturationAndTheWayOut) {
  const auto avx2 = cpu(false, false, false, false);
  const auto message = full_range_warning("m.onnx", avx2);
  EXPECT_THAT(message, ::testing::StartsWith("m.onnx: "));
  EXPECT_THAT(message, ::testing::HasSubstr("Test CPU (avx2, no VNNI)"));
  EXPECT_THAT(message, ::testing::HasSubstr("saturates"));
  EXPECT_THAT(message, ::testing::HasSubstr("--reduce-range"));
  EXPECT_EQ(full_range_warning("m.onnx", cpu(true, true, false, false)), "");
  EXPECT_EQ(full_range_warning("m.onnx", cpu(false, false, true, false)), "");
}

TEST(Int8Kernel, ReadsTheRangeFromTheQuantizationMetadata) {
  EXPECT_TRUE(is_full_range_int8(R"({"method":"dynamic","reduce_range":false})"));
  EXPECT_FALSE(is_full_range_int8(R"({"reduce_range":true})"));
  EXPECT_FALSE(is_full_range_int8("")) << "fp32";
  EXPECT_FALSE(is_full_range_int8("{not json")) << "unreadable metadata claims nothing";
  EXPECT_FALSE(is_full_range_int8(R"({"reduce_range":"no"})"));
}

}  // namespace
}  // namespace cola::runtime

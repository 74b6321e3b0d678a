#include "runtime/ort_info.h"

#include <gtest/gtest.h>

namespace cola::runtime {
namespace {

// The pinned library (scripts/fetch-onnxruntime.sh) is 1.30, and it serves API version 29, which
// our headers use. A wrong library on the RPATH would show up here.
TEST(OrtInfo, LoadsThePinnedLibraryThroughRpath) {
  EXPECT_EQ(onnxruntime_version().rfind("1.30", 0), 0u) << onnxruntime_version();
  EXPECT_EQ(onnxruntime_api_version(), 29);
}

}  // namespace
}  // namespace cola::runtime

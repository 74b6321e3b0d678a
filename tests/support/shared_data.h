#pragma once
// Access to the read-only reference data in ../shared (CoLA, vocabularies, goldens). Tests read it
// in place and never copy it. Where it is absent the test skips with a clear message, unless
// COLA_REQUIRE_SHARED=1 (as .ci/run sets), in which case it fails.
#include <gtest/gtest.h>

#include <filesystem>
#include <optional>
#include <string>

namespace cola::test {

/// $COLA_SHARED_DIR, else <repo>/../shared. Returns nullopt if the directory does not exist.
std::optional<std::filesystem::path> shared_dir();

/// True when COLA_REQUIRE_SHARED=1.
bool shared_required();

/// The repository root (for configs/ and data/sample/).
std::filesystem::path source_dir();

/// A fresh empty temporary directory, removed when the object goes out of scope.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

}  // namespace cola::test

/// Binds `var` to the path of `relative` inside ../shared, or skips (fails when required) the
/// current test with a message naming the missing file.
#define COLA_SHARED_PATH_OR_SKIP(var, relative)                                              \
  const auto var##_shared_root = ::cola::test::shared_dir();                                 \
  const std::filesystem::path var =                                                          \
      var##_shared_root ? *var##_shared_root / (relative) : std::filesystem::path(relative); \
  if (!var##_shared_root || !std::filesystem::exists(var)) {                                 \
    if (::cola::test::shared_required()) {                                                   \
      FAIL() << "COLA_REQUIRE_SHARED=1 but shared data is missing: " << var.string()         \
             << " (set COLA_SHARED_DIR)";                                                    \
    }                                                                                        \
    GTEST_SKIP() << "shared data not found: " << var.string()                                \
                 << " (set COLA_SHARED_DIR to the shared/ directory)";                       \
  }

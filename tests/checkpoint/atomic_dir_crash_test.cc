// kill -9 at a random moment of AtomicDirectory (checkpoints, cola convert), 200 times: the
// directory is the old one or the new one, whole, never a mix or missing.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "checkpoint/atomic_dir.h"
#include "core/file.h"
#include "support/kill_while_writing.h"
#include "support/shared_data.h"

namespace cola::checkpoint {
namespace {
namespace fs = std::filesystem;

std::string version(uint64_t i, char file) {
  return std::string(size_t{128} * 1024, static_cast<char>('a' + i % 26)) + file;
}

void write_version(const fs::path& dir, uint64_t i) {
  AtomicDirectory out(dir);
  write_file_atomic(out.temp_path() / "model.safetensors", version(i, 'm'));
  write_file_atomic(out.temp_path() / "config.json", version(i, 'c'));
  out.commit();
}

TEST(AtomicDirectoryCrash, TheCheckpointIsTheOldOneOrTheNewOne) {
  test::TempDir tmp;
  const auto dir = tmp / "checkpoints" / "last";
  write_version(dir, 0);
  test::kill_while_writing(
      200, 3000, [&](uint64_t i) { write_version(dir, i + 1); },
      [&] {
        ASSERT_TRUE(fs::is_directory(dir));
        const std::string m = read_file(dir / "model.safetensors");
        const std::string c = read_file(dir / "config.json");
        ASSERT_EQ(m.size(), size_t{128} * 1024 + 1);
        EXPECT_EQ(m.back(), 'm');
        EXPECT_EQ(c.back(), 'c');
        EXPECT_EQ(m.substr(0, m.size() - 1), c.substr(0, c.size() - 1)) << "files of two versions";
        EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 2);
      });
}

}  // namespace
}  // namespace cola::checkpoint

#include "core/file.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "support/shared_data.h"

namespace cola {
namespace {
namespace fs = std::filesystem;

TEST(File, AtomicWriteCreatesParentsAndRoundTrips) {
  test::TempDir tmp;
  const auto path = tmp / "a/b/c.txt";
  write_file_atomic(path, "hello\n");
  EXPECT_EQ(read_file(path), "hello\n");
  write_file_atomic(path, "replaced");
  EXPECT_EQ(read_file(path), "replaced");
  // Only the final file remains: no temp siblings left behind.
  EXPECT_EQ(std::distance(fs::directory_iterator(path.parent_path()), fs::directory_iterator()), 1);
}

TEST(File, UncommittedWriterLeavesTheOldFileAndNoTemp) {
  test::TempDir tmp;
  const auto path = tmp / "keep.txt";
  write_file_atomic(path, "old");
  {
    AtomicFileWriter w(path);
    w.write("half-written new content");
    // Destroyed without commit(), as when an exception unwinds.
  }
  EXPECT_EQ(read_file(path), "old");
  EXPECT_EQ(std::distance(fs::directory_iterator(tmp.path()), fs::directory_iterator()), 1);
}

TEST(File, ReadingAMissingFileNamesIt) {
  try {
    read_file("/nonexistent/dir/file.yaml");
    FAIL() << "expected a throw";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "/nonexistent/dir/file.yaml: cannot open: No such file or directory");
  }
}

TEST(File, WritingIntoAnUnwritablePlaceNamesThePath) {
  EXPECT_THROW(write_file_atomic("/proc/cola-cannot-write/x", "x"), Error);
}

}  // namespace
}  // namespace cola

#include "core/mapped_file.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/error.h"
#include "core/file.h"
#include "support/error_message.h"
#include "support/shared_data.h"

namespace cola {
namespace {

using ::testing::HasSubstr;

TEST(MappedFile, MapsAFileAndStaysReadableAfterRelease) {
  const test::TempDir tmp;
  std::string content(size_t{3} * 65536, 'x');
  for (size_t i = 0; i < content.size(); ++i) content[i] = static_cast<char>('a' + i % 26);
  write_file_atomic(tmp / "f.bin", content);
  const auto file = MappedFile::open(tmp / "f.bin");
  ASSERT_EQ(file->bytes(), content);
  // Released pages are only dropped from memory: reading them again faults them back in.
  file->release(file->bytes().substr(100, 70000));
  EXPECT_EQ(file->bytes(), content);
  EXPECT_EQ(file->label(), (tmp / "f.bin").string());
}

TEST(MappedFile, EmptyFilesAndBytesInMemory) {
  const test::TempDir tmp;
  write_file_atomic(tmp / "empty", "");
  EXPECT_EQ(MappedFile::open(tmp / "empty")->bytes(), "");
  const auto mem = MappedFile::from_bytes("abc", "<mem>");
  mem->release(mem->bytes());  // a no-op for bytes in memory
  EXPECT_EQ(mem->bytes(), "abc");
}

TEST(MappedFile, MissingFileAndDirectoryAreNamed) {
  const test::TempDir tmp;
  EXPECT_THAT(test::error_message<Error>([&] { MappedFile::open(tmp / "nope"); }),
              HasSubstr((tmp / "nope").string() + ": cannot open: No such file"));
  EXPECT_THAT(test::error_message<Error>([&] { MappedFile::open(tmp.path()); }),
              HasSubstr(tmp.path().string() + ": not a regular file"));
}

}  // namespace
}  // namespace cola

// kill -9 at a random moment of each core writer, 200 times: the file is the old one or the new
// one (write_file_atomic, commit_file), never torn; a log (AppendFile) keeps every record whole
// but perhaps its last, which the next writer trims, and takes back a record a full disk cut short.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "core/append_file.h"
#include "core/error.h"
#include "core/file.h"
#include "support/error_message.h"
#include "support/kill_while_writing.h"
#include "support/shared_data.h"

namespace cola {
namespace {
namespace fs = std::filesystem;

constexpr int kRounds = 200;
constexpr int kMaxDelayUs = 3000;

constexpr size_t kFileBytes = 256 * 1024;

// 256 KiB of one letter: version i of the file is all 'a' + i % 26, so a mix shows.
std::string version(uint64_t i) { return std::string(kFileBytes, static_cast<char>('a' + i % 26)); }

bool is_one_version(const std::string& content) {
  return content.size() == kFileBytes && content.find_first_not_of(content[0]) == std::string::npos;
}

TEST(Crash, WriteFileAtomicLeavesTheOldFileOrTheNew) {
  test::TempDir tmp;
  const auto path = tmp / "state.bin";
  write_file_atomic(path, version(0));
  test::kill_while_writing(
      kRounds, kMaxDelayUs, [&](uint64_t i) { write_file_atomic(path, version(i + 1)); },
      [&] { ASSERT_TRUE(is_one_version(read_file(path))); });
}

TEST(Crash, CommitFileLeavesTheOldFileOrTheNew) {
  test::TempDir tmp;
  const auto path = tmp / "model.onnx";
  write_file_atomic(path, version(0));
  test::kill_while_writing(
      kRounds, kMaxDelayUs,
      [&](uint64_t i) {
        const auto temp = temp_sibling(path);  // as another library would write it
        std::ofstream(temp, std::ios::binary) << version(i + 1);
        commit_file(temp, path);
      },
      [&] { ASSERT_TRUE(is_one_version(read_file(path))); });
}

// Records of 1 byte to 3 KiB. Linux stops a write() at a page boundary when SIGKILL arrives, so
// the last record may be cut short; every one before it is whole, and trim_torn_tail() removes a
// torn one, so that appending goes on from a record boundary.
TEST(Crash, AppendFileKeepsEveryRecordButATornLastOneWhole) {
  test::TempDir tmp;
  const auto path = tmp / "log.txt";
  const auto whole_records = [](const std::string& text, size_t& torn) {
    size_t at = 0;
    size_t count = 0;
    torn = 0;
    while (at < text.size()) {
      const size_t colon = text.find(':', at);
      const size_t n = colon == std::string::npos ? 0 : std::stoul(text.substr(at, colon - at));
      if (colon == std::string::npos || colon + 1 + n >= text.size()) {
        torn = text.size() - at;  // only the last record may end early
        break;
      }
      EXPECT_EQ(text[colon + 1 + n], '\n') << "record at byte " << at;
      EXPECT_EQ(text.find_first_not_of('x', colon + 1), colon + 1 + n) << "record at byte " << at;
      at = colon + 2 + n;
      ++count;
    }
    return count;
  };
  int torn_seen = 0;
  test::kill_while_writing(
      kRounds, kMaxDelayUs,
      [&](uint64_t i) {
        static AppendFile log(path, AppendFile::Mode::append);
        static const size_t trimmed = log.trim_torn_tail('\n');  // once per child
        (void)trimmed;
        const size_t n = 1 + (i * 7919) % 3000;
        log.append(std::to_string(n) + ":" + std::string(n, 'x') + "\n");
        if (i % 4 == 0) log.sync();  // as the trainer syncs: and the log stays small
      },
      [&] {
        // Killed before its first write opened the file: nothing was written, and nothing torn.
        if (!std::filesystem::exists(path)) return;
        size_t torn = 0;
        whole_records(read_file(path), torn);
        torn_seen += torn > 0 ? 1 : 0;
      });
  // The next writer trims a torn tail first: the log is whole again.
  AppendFile(path, AppendFile::Mode::append).trim_torn_tail('\n');
  size_t torn = 0;
  const size_t records = whole_records(read_file(path), torn);
  EXPECT_EQ(torn, 0U);
  EXPECT_GT(records, 0U);
  RecordProperty("kills_that_tore_a_record", torn_seen);
}

TEST(Crash, AFailedAppendNamesTheFile) {
  // /dev/full fails every write with ENOSPC.
  AppendFile full("/dev/full", AppendFile::Mode::append);
  EXPECT_THAT(test::error_message<Error>([&] { full.append("record\n"); }),
              ::testing::HasSubstr("/dev/full: write failed: No space left on device"));
}

TEST(Crash, ARecordCutShortByAFullDiskIsTakenBack) {
  // A file-size limit of 100 bytes makes the second 60-byte record a partial write (40 bytes),
  // then EFBIG: the 40 bytes must go, leaving the first record alone. In a child, for the limit.
  test::TempDir tmp;
  const auto log = tmp / "metrics.jsonl";
  const std::string record = std::string(59, 'r') + "\n";
  const auto append_twice_under_the_limit = [&] {
    std::signal(SIGXFSZ, SIG_IGN);
    const rlimit limit{100, RLIM_INFINITY};
    ::setrlimit(RLIMIT_FSIZE, &limit);
    AppendFile file(log, AppendFile::Mode::append);
    file.append(record);
    try {
      file.append(record);
    } catch (const Error& e) {
      std::exit(std::string(e.what()).find("write failed") != std::string::npos ? 0 : 2);
    }
    std::exit(3);
  };
  EXPECT_EXIT(append_twice_under_the_limit(), ::testing::ExitedWithCode(0), "");
  EXPECT_EQ(read_file(log), record);
}

TEST(Crash, AppendFileCreateNewRefusesAnExistingFile) {
  test::TempDir tmp;
  write_file_atomic(tmp / "events", "x");
  EXPECT_THROW(AppendFile(tmp / "events", AppendFile::Mode::create_new), FileExists);
  EXPECT_EQ(read_file(tmp / "events"), "x");
}

}  // namespace
}  // namespace cola

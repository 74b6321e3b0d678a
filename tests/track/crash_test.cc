// kill -9 at a random moment of the run logs' writers, 200 times: metrics.jsonl holds whole
// lines but perhaps a torn last one, which the next JsonlLog trims; an event file reads back with
// every CRC valid but perhaps a torn last record, which TensorBoard and read_event_file skip.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/file.h"
#include "support/kill_while_writing.h"
#include "support/shared_data.h"
#include "track/event_reader.h"
#include "track/event_writer.h"
#include "track/jsonl_log.h"

namespace cola::track {
namespace {

constexpr int kRounds = 200;
constexpr int kMaxDelayUs = 2000;

TEST(Crash, MetricsJsonlHoldsWholeLinesButPerhapsATornLastOne) {
  test::TempDir tmp;
  const auto path = tmp / "metrics.jsonl";
  test::kill_while_writing(
      kRounds, kMaxDelayUs,
      [&](uint64_t i) {
        static JsonlLog log(path);
        log.append({{"step", i}, {"train/loss", 0.5}, {"note", std::string(i % 2000, 'x')}});
        if (i % 4 == 0) log.sync();
      },
      [&] {
        // Killed before its first write opened the file: nothing was written, and nothing torn.
        if (!std::filesystem::exists(path)) return;
        const std::string text = read_file(path);
        std::istringstream in(text.substr(0, text.rfind('\n') + 1));  // a torn tail aside
        int lines = 0;
        for (std::string line; std::getline(in, line); ++lines) {
          ASSERT_FALSE(nlohmann::json::parse(line, nullptr, false).is_discarded())
              << "line " << lines + 1 << " is torn";
        }
      });
  JsonlLog(path).append({{"step", -1}});  // trims a torn tail first
  std::istringstream in(read_file(path));
  std::string line, last;
  while (std::getline(in, line)) {
    ASSERT_FALSE(nlohmann::json::parse(line, nullptr, false).is_discarded()) << line;
    last = line;
  }
  EXPECT_EQ(last, "{\"step\":-1}");
}

TEST(Crash, AnEventFileKeepsEveryRecordButPerhapsATornLastOne) {
  test::TempDir tmp;
  test::kill_while_writing(
      kRounds, kMaxDelayUs,
      [&](uint64_t i) {
        static EventWriter events(tmp / std::to_string(::getpid()));  // a directory per child
        events.add_scalar("train/loss", static_cast<int64_t>(i), 0.5);
        events.add_text("note", static_cast<int64_t>(i), std::string(i % 3000, 'x'));
        if (i % 4 == 0) events.flush();
      },
      [&] {
        for (const auto& dir : std::filesystem::directory_iterator(tmp.path())) {
          for (const auto& file : find_event_files(dir.path())) {
            size_t torn = 0;
            ASSERT_NO_THROW(read_event_file(file, &torn)) << file;  // no bad CRC anywhere
          }
        }
      });
}

}  // namespace
}  // namespace cola::track

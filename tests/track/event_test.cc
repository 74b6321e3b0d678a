// Event files: TFRecord framing, CRCs, the Event records TensorBoard expects, and corruption.
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <regex>

#include "core/error.h"
#include "core/file.h"
#include "support/error_message.h"
#include "support/shared_data.h"
#include "track/confusion_image.h"
#include "track/crc32c.h"
#include "track/event_reader.h"
#include "track/event_writer.h"
#include "track/tfrecord.h"

namespace cola::track {
namespace {

using test::error_message;
using ::testing::HasSubstr;

TEST(Crc32c, KnownValues) {
  // The CRC-32C check value (RFC 3720 appendix B.4 / the Castagnoli catalogue).
  EXPECT_EQ(crc32c("123456789"), 0xE3069283U);
  EXPECT_EQ(crc32c(""), 0U);
  // 32 zero bytes: RFC 3720 B.4's first test vector (0x8A9136AA).
  EXPECT_EQ(crc32c(std::string(32, '\0')), 0x8A9136AAU);
  // mask = rotate right 15, add 0xa282ead8.
  EXPECT_EQ(mask_crc(0), 0xa282ead8U);
  EXPECT_EQ(mask_crc(1U << 15), 0xa282ead8U + 1);
}

TEST(TfRecord, FramingBytes) {
  std::string out;
  append_tfrecord(out, "abc");
  ASSERT_EQ(out.size(), 8 + 4 + 3 + 4U);
  EXPECT_EQ(out.substr(0, 8), std::string("\x03\0\0\0\0\0\0\0", 8));  // u64 LE length
  const auto u32 = [&](size_t at) {
    return static_cast<uint32_t>(static_cast<unsigned char>(out[at])) |
           static_cast<uint32_t>(static_cast<unsigned char>(out[at + 1])) << 8 |
           static_cast<uint32_t>(static_cast<unsigned char>(out[at + 2])) << 16 |
           static_cast<uint32_t>(static_cast<unsigned char>(out[at + 3])) << 24;
  };
  EXPECT_EQ(u32(8), mask_crc(crc32c(out.substr(0, 8))));
  EXPECT_EQ(out.substr(12, 3), "abc");
  EXPECT_EQ(u32(15), mask_crc(crc32c("abc")));
  const auto records = parse_tfrecords(out + out, "x");
  ASSERT_EQ(records.size(), 2U);
  EXPECT_EQ(records[1].offset, 19U);
  EXPECT_EQ(records[1].data, "abc");
}

TEST(TfRecord, EveryCorruptedByteIsDetected) {
  std::string file;
  append_tfrecord(file, "first record");
  append_tfrecord(file, "second");
  for (size_t i = 0; i < file.size(); ++i) {
    std::string bad = file;
    bad[i] = static_cast<char>(bad[i] ^ 0x20);
    const auto msg = error_message<Error>([&] { parse_tfrecords(bad, "run/events"); });
    EXPECT_THAT(msg, HasSubstr("run/events: offset ")) << "byte " << i;
  }
  EXPECT_THAT(error_message<Error>([&] { parse_tfrecords(file.substr(0, file.size() - 1), "f"); }),
              HasSubstr("f: offset 28: truncated record: 6 data bytes announced (record 1)"));
}

// A writer killed inside its last record leaves a prefix of it: read as TensorBoard reads it, the
// file ends before it; read strictly, it is an error naming the offset.
TEST(TfRecord, ATornLastRecordEndsTheFileWhenAllowed) {
  std::string file;
  append_tfrecord(file, "first record");
  const size_t first = file.size();
  append_tfrecord(file, "second");
  for (size_t cut = first + 1; cut < file.size(); ++cut) {
    size_t torn = 0;
    const auto records = parse_tfrecords(file.substr(0, cut), "f", &torn);
    ASSERT_EQ(records.size(), 1U) << "cut at " << cut;
    EXPECT_EQ(torn, cut - first);
    EXPECT_THAT(error_message<Error>([&] { parse_tfrecords(file.substr(0, cut), "f"); }),
                HasSubstr("f: offset 28: truncated record"));
  }
  size_t torn = 1;
  EXPECT_EQ(parse_tfrecords(file, "f", &torn).size(), 2U);
  EXPECT_EQ(torn, 0U);
  std::string bad = file;
  bad[first + 13] = 'X';  // a corrupt byte is still an error, torn tail allowed or not
  EXPECT_THAT(error_message<Error>([&] { parse_tfrecords(bad, "f", &torn); }),
              HasSubstr("data CRC mismatch"));
}

class EventFileTest : public ::testing::Test {
 protected:
  test::TempDir dir_;
};

TEST_F(EventFileTest, RoundTripOfScalarsTextAndImages) {
  std::filesystem::path path;
  {
    EventWriter w(dir_.path());
    path = w.path();
    w.add_scalar("train/loss", 10, 0.5, 1000.25);
    w.add_scalar("valid/mcc", 20, -0.125);
    w.add_text("misclassified", 20, markdown_table({"sentence", "label"}, {{"a | b", "x\ny"}}));
    w.add_image("valid/confusion_matrix", 20, std::string("\x89PNG fake", 9), 4, 3);
    w.flush();
    // Flushed records are readable while the writer is still open (a crash keeps them).
    EXPECT_EQ(read_event_file(path).size(), 5U);
  }
  EXPECT_TRUE(std::regex_match(path.filename().string(),
                               std::regex(R"(events\.out\.tfevents\.\d{10}\..+)")));
  const auto events = read_event_file(path);
  ASSERT_EQ(events.size(), 5U);
  EXPECT_EQ(events[0].file_version, "brain.Event:2");
  EXPECT_EQ(events[0].offset, 0U);
  EXPECT_EQ(events[1].step, 10);
  EXPECT_DOUBLE_EQ(events[1].wall_time, 1000.25);
  ASSERT_EQ(events[1].values.size(), 1U);
  EXPECT_EQ(events[1].values[0].tag, "train/loss");
  EXPECT_EQ(events[1].values[0].kind, EventValue::Kind::scalar);
  EXPECT_DOUBLE_EQ(events[1].values[0].scalar, 0.5);
  EXPECT_DOUBLE_EQ(events[2].values[0].scalar, -0.125);
  const auto& text = events[3].values[0];
  EXPECT_EQ(text.kind, EventValue::Kind::text);
  EXPECT_EQ(text.plugin_name, "text");
  EXPECT_EQ(text.text, "| sentence | label |\n|---|---|\n| a \\| b | x y |\n");
  const auto& image = events[4].values[0];
  EXPECT_EQ(image.kind, EventValue::Kind::image);
  EXPECT_EQ(image.image, std::string("\x89PNG fake", 9));
  EXPECT_EQ(image.width, 4);
  EXPECT_EQ(image.height, 3);
}

TEST_F(EventFileTest, FirstRecordIsFileVersionOnTheWire) {
  std::filesystem::path path;
  {
    EventWriter w(dir_.path());
    path = w.path();
  }
  const auto records = read_tfrecord_file(path);
  ASSERT_EQ(records.size(), 1U);
  // Independent of our .proto: field 1 (wall_time) is a fixed64 (tag 0x09, 8 bytes), then
  // field 3 (file_version) is length-delimited (tag 0x1a).
  EXPECT_EQ(records[0].data[0], '\x09');
  EXPECT_EQ(records[0].data.substr(9), std::string("\x1a\x0d") + "brain.Event:2");
}

TEST_F(EventFileTest, CorruptedByteNamesFileAndOffset) {
  std::filesystem::path path;
  {
    EventWriter w(dir_.path());
    path = w.path();
    w.add_scalar("a", 1, 1.0);
    w.add_scalar("b", 2, 2.0);
  }
  std::string bytes = read_file(path);
  const auto records = parse_tfrecords(bytes, "x");
  const size_t at = records[2].offset + 14;  // inside the third record's data
  bytes[at] = static_cast<char>(bytes[at] ^ 1);
  write_file_atomic(path, bytes);
  EXPECT_EQ(error_message<Error>([&] { read_event_file(path); }),
            fmt::format("{}: offset {}: data CRC mismatch (corrupt file) (record 2)", path.string(),
                        records[2].offset));
}

TEST_F(EventFileTest, ConfusionMatrixImageIsEncodedAsPng) {
  std::filesystem::path path;
  {
    EventWriter w(dir_.path());
    path = w.path();
    w.add_image("valid/confusion_matrix", 3, render_confusion_matrix({{5, 1}, {2, 4}}, {"n", "y"}));
  }
  const auto events = read_event_file(path);
  const auto& v = events.at(1).values.at(0);
  EXPECT_EQ(v.image, confusion_matrix_png({{5, 1}, {2, 4}}, {"n", "y"}));
  EXPECT_EQ(v.width, render_confusion_matrix({{5, 1}, {2, 4}}, {"n", "y"}).width());
  EXPECT_GT(v.height, 0);
}

// A resumed run's new file starts with a session start at the step after its checkpoint: the
// run reads as one, without what the killed process logged after that checkpoint.
TEST_F(EventFileTest, ASessionStartDropsTheLostStepsAcrossFiles) {
  {
    EventWriter killed(dir_.path());
    for (int64_t step = 1; step <= 5; ++step) killed.add_scalar("train/loss", step, 1.0);
  }
  {
    EventWriter resumed(dir_.path());  // the same second: the name takes a ".1"
    resumed.add_session_start(4);
    for (int64_t step = 4; step <= 6; ++step) resumed.add_scalar("train/loss", step, 2.0);
  }
  std::vector<std::pair<int64_t, double>> seen;
  for (const auto& e : read_run_events(dir_.path())) {
    for (const auto& v : e.values) seen.emplace_back(e.step, v.scalar);
  }
  EXPECT_EQ(seen, (std::vector<std::pair<int64_t, double>>{
                      {1, 1.0}, {2, 1.0}, {3, 1.0}, {4, 2.0}, {5, 2.0}, {6, 2.0}}));
}

TEST_F(EventFileTest, TwoWritersInOneSecondGetTwoFiles) {
  EventWriter a(dir_.path());
  EventWriter b(dir_.path());
  EXPECT_NE(a.path(), b.path());
  EXPECT_EQ(find_event_files(dir_.path()).size(), 2U);
}

}  // namespace
}  // namespace cola::track

#pragma once
// TFRecord framing, the container of TensorBoard event files. Each record is
//   u64 length (little-endian) | u32 masked CRC-32C of those 8 bytes | data | u32 masked CRC of
//   data
// (tensorflow/core/lib/io/record_writer.h).
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace cola::track {

/// Appends one framed record holding `data` to `out`.
void append_tfrecord(std::string& out, std::string_view data);

/// One record as read back: its payload and the byte offset of its header in the file.
struct TfRecord {
  uint64_t offset = 0;
  std::string data;
};

/// Splits `bytes` (the contents of `name`) into records, verifying both CRCs of every record.
/// Throws Error("<name>: offset N: ...") on a CRC mismatch or a truncated record. With
/// `torn_tail`, a truncated last record (a writer killed inside it) ends the file instead, as
/// TensorBoard reads it, and *torn_tail receives its byte count (0 when the file ends whole).
std::vector<TfRecord> parse_tfrecords(std::string_view bytes, const std::string& name,
                                      size_t* torn_tail = nullptr);

/// Reads and parses a TFRecord file (see parse_tfrecords).
std::vector<TfRecord> read_tfrecord_file(const std::filesystem::path& path,
                                         size_t* torn_tail = nullptr);

}  // namespace cola::track

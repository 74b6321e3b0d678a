#include "track/tfrecord.h"

#include <fmt/format.h>

#include "core/error.h"
#include "core/file.h"
#include "track/crc32c.h"

namespace cola::track {
namespace {

constexpr size_t kHeaderBytes = 12;  // u64 length + u32 masked CRC of the length
constexpr size_t kFooterBytes = 4;   // u32 masked CRC of the data

void put_le(std::string& out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out += static_cast<char>((v >> (8 * i)) & 0xFFU);
}

uint64_t get_le(std::string_view in, size_t at, int bytes) {
  uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) {
    v = (v << 8) | static_cast<unsigned char>(in[at + static_cast<size_t>(i)]);
  }
  return v;
}

}  // namespace

void append_tfrecord(std::string& out, std::string_view data) {
  std::string length;
  put_le(length, data.size(), 8);
  out += length;
  put_le(out, mask_crc(crc32c(length)), 4);
  out.append(data);
  put_le(out, mask_crc(crc32c(data)), 4);
}

std::vector<TfRecord> parse_tfrecords(std::string_view bytes, const std::string& name,
                                      size_t* torn_tail) {
  std::vector<TfRecord> records;
  size_t at = 0;
  if (torn_tail != nullptr) *torn_tail = 0;
  while (at < bytes.size()) {
    const auto fail = [&](const std::string& what) {
      return Error(fmt::format("{}: offset {}: {} (record {})", name, at, what, records.size()));
    };
    const auto torn = [&] {  // the writer died inside its last record
      if (torn_tail == nullptr) return false;
      *torn_tail = bytes.size() - at;
      return true;
    };
    if (bytes.size() - at < kHeaderBytes) {
      if (torn()) break;
      throw fail("truncated record header");
    }
    const uint64_t length = get_le(bytes, at, 8);
    if (get_le(bytes, at + 8, 4) != mask_crc(crc32c(bytes.substr(at, 8)))) {
      throw fail("length CRC mismatch (corrupt file)");
    }
    const size_t room = bytes.size() - at;  // >= kHeaderBytes here
    if (room < kHeaderBytes + kFooterBytes || length > room - kHeaderBytes - kFooterBytes) {
      if (torn()) break;
      throw fail(fmt::format("truncated record: {} data bytes announced", length));
    }
    const std::string_view data = bytes.substr(at + kHeaderBytes, length);
    const size_t footer = at + kHeaderBytes + length;
    if (get_le(bytes, footer, 4) != mask_crc(crc32c(data))) {
      throw fail("data CRC mismatch (corrupt file)");
    }
    records.push_back({at, std::string(data)});
    at = footer + kFooterBytes;
  }
  return records;
}

std::vector<TfRecord> read_tfrecord_file(const std::filesystem::path& path, size_t* torn_tail) {
  return parse_tfrecords(read_file(path), path.string(), torn_tail);
}

}  // namespace cola::track

#include "data/zip.h"

#include <fmt/format.h>
#include <zlib.h>

#include <cstdint>

#include "core/error.h"

namespace cola::data {
namespace {

// Record signatures and the fixed sizes of the records before their variable-length fields.
constexpr uint32_t kEndOfCentralDir = 0x06054b50, kCentralHeader = 0x02014b50;
constexpr uint32_t kLocalHeader = 0x04034b50;
constexpr size_t kEndOfCentralDirSize = 22, kCentralHeaderSize = 46, kLocalHeaderSize = 30;
constexpr uint16_t kStored = 0, kDeflated = 8;

// Little-endian field readers that refuse to read past the end of the archive.
uint32_t read_le(std::string_view bytes, size_t offset, size_t width) {
  if (offset > bytes.size() || bytes.size() - offset < width) throw Error("zip: truncated archive");
  uint32_t value = 0;
  for (size_t i = 0; i < width; ++i) {
    value |= uint32_t{static_cast<unsigned char>(bytes[offset + i])} << (8 * i);
  }
  return value;
}
uint32_t u16(std::string_view b, size_t at) { return read_le(b, at, 2); }
uint32_t u32(std::string_view b, size_t at) { return read_le(b, at, 4); }

size_t find_end_of_central_dir(std::string_view archive) {
  if (archive.size() < kEndOfCentralDirSize) throw Error("zip: too short to be a zip archive");
  // The record is last, followed only by a comment of at most 65535 bytes.
  for (size_t at = archive.size() - kEndOfCentralDirSize + 1; at-- > 0;) {
    if (u32(archive, at) == kEndOfCentralDir) return at;
    if (archive.size() - at > kEndOfCentralDirSize + 0xFFFF) break;
  }
  throw Error("zip: no end-of-central-directory record (not a zip archive?)");
}

std::string inflate_raw(std::string_view compressed, size_t size) {
  std::string out(size, '\0');
  z_stream zs{};
  if (inflateInit2(&zs, -MAX_WBITS) != Z_OK) throw Error("zip: inflateInit2 failed");
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  zs.avail_in = static_cast<uInt>(compressed.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  const int rc = inflate(&zs, Z_FINISH);
  const bool complete = rc == Z_STREAM_END && zs.total_out == size;
  inflateEnd(&zs);
  if (!complete) throw Error(fmt::format("zip: corrupt deflate data (zlib code {})", rc));
  return out;
}

// The entry's data, given its central-directory header.
std::string read_entry(std::string_view archive, size_t header) {
  // Field offsets in the central-directory header (APPNOTE.TXT 4.3.12).
  const uint32_t method = u16(archive, header + 10);
  const uint32_t crc = u32(archive, header + 16);
  const uint32_t packed = u32(archive, header + 20);
  const uint32_t size = u32(archive, header + 24);
  const size_t local = u32(archive, header + 42);
  if (packed == 0xFFFFFFFF || size == 0xFFFFFFFF) throw Error("zip: zip64 entries are unsupported");
  if (u32(archive, local) != kLocalHeader) throw Error("zip: bad local header offset");
  // Sizes come from the central directory: the local header may defer them to a data descriptor.
  const size_t data =
      local + kLocalHeaderSize + u16(archive, local + 26) + u16(archive, local + 28);
  if (data > archive.size() || archive.size() - data < packed) throw Error("zip: truncated entry");
  const std::string_view bytes = archive.substr(data, packed);
  std::string out;
  if (method == kStored && packed == size) {
    out = std::string(bytes);
  } else if (method == kDeflated) {
    out = inflate_raw(bytes, size);
  } else {
    throw Error(fmt::format("zip: unsupported compression method {}", method));
  }
  const uLong actual = crc32(0L, reinterpret_cast<const Bytef*>(out.data()), uInt(out.size()));
  if (actual != crc) throw Error("zip: CRC-32 mismatch");
  return out;
}

}  // namespace

std::string extract_zip_entry(std::string_view archive, std::string_view name) {
  const size_t end = find_end_of_central_dir(archive);
  const uint32_t entries = u16(archive, end + 10);
  size_t header = u32(archive, end + 16);
  for (uint32_t i = 0; i < entries; ++i) {
    if (u32(archive, header) != kCentralHeader) throw Error("zip: corrupt central directory");
    const size_t name_len = u16(archive, header + 28);
    const size_t extra = u16(archive, header + 30);
    const size_t comment = u16(archive, header + 32);
    if (archive.size() - header < kCentralHeaderSize + name_len) throw Error("zip: truncated name");
    if (archive.substr(header + kCentralHeaderSize, name_len) == name) {
      return with_context(fmt::format("zip entry {}", name),
                          [&] { return read_entry(archive, header); });
    }
    header += kCentralHeaderSize + name_len + extra + comment;
  }
  throw Error(fmt::format("zip: no entry named {}", name));
}

}  // namespace cola::data

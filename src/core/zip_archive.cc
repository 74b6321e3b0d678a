#include "core/zip_archive.h"

#include <fmt/format.h>

#include "core/error.h"
#include "core/mapped_file.h"

namespace cola {
namespace {

// Record signatures and the fixed sizes of the records before their variable-length fields.
constexpr uint32_t kEndOfCentralDir = 0x06054b50, kCentralHeader = 0x02014b50;
constexpr uint32_t kZip64EndOfCentralDir = 0x06064b50, kZip64Locator = 0x07064b50;
constexpr uint32_t kLocalHeader = 0x04034b50;
constexpr size_t kEndOfCentralDirSize = 22, kCentralHeaderSize = 46, kLocalHeaderSize = 30;
constexpr size_t kZip64LocatorSize = 20, kZip64EndSize = 56;
constexpr uint16_t kZip64ExtraId = 0x0001;

// Little-endian field reads that refuse to read past the end.
class Reader {
 public:
  Reader(std::string_view bytes, const std::string& label) : bytes_(bytes), label_(label) {}

  uint64_t le(uint64_t offset, size_t width) const {
    if (offset > bytes_.size() || bytes_.size() - offset < width) {
      throw Error(fmt::format("{}: zip record at byte {} runs past the end of the file ({} bytes)",
                              label_, offset, bytes_.size()));
    }
    uint64_t value = 0;
    for (size_t i = 0; i < width; ++i) {
      value |= uint64_t{static_cast<unsigned char>(bytes_[offset + i])} << (8 * i);
    }
    return value;
  }
  uint16_t u16(uint64_t at) const { return static_cast<uint16_t>(le(at, 2)); }
  uint32_t u32(uint64_t at) const { return static_cast<uint32_t>(le(at, 4)); }
  uint64_t u64(uint64_t at) const { return le(at, 8); }
  std::string_view span(uint64_t at, uint64_t size) const {
    if (at > bytes_.size() || bytes_.size() - at < size) {
      throw Error(fmt::format("{}: zip field at byte {} ({} bytes) runs past the end of the file",
                              label_, at, size));
    }
    return bytes_.substr(at, size);
  }
  size_t size() const { return bytes_.size(); }
  const std::string& label() const { return label_; }

 private:
  std::string_view bytes_;
  const std::string& label_;
};

// The end-of-central-directory record is last, followed only by a comment of < 64 KiB.
uint64_t find_end_of_central_dir(const Reader& r) {
  if (r.size() >= kEndOfCentralDirSize) {
    for (uint64_t at = r.size() - kEndOfCentralDirSize + 1; at-- > 0;) {
      if (r.u32(at) == kEndOfCentralDir) return at;
      if (r.size() - at > kEndOfCentralDirSize + 0xFFFF) break;
    }
  }
  throw Error(r.label() +
              ": not a complete zip archive: no end-of-central-directory record (the file is "
              "truncated, or not a zip archive)");
}

struct Directory {
  uint64_t entries = 0;
  uint64_t offset = 0;
  uint64_t size = 0;
};

Directory read_directory_location(const Reader& r) {
  const uint64_t end = find_end_of_central_dir(r);
  Directory d{r.u16(end + 10), r.u32(end + 16), r.u32(end + 12)};
  // zip64: the 32-bit fields saturate and a locator just before the record points at the real ones.
  const bool saturated = d.entries == 0xFFFF || d.offset == 0xFFFFFFFF || d.size == 0xFFFFFFFF;
  if (end >= kZip64LocatorSize && r.u32(end - kZip64LocatorSize) == kZip64Locator) {
    const uint64_t at = r.u64(end - kZip64LocatorSize + 8);
    if (r.u32(at) != kZip64EndOfCentralDir) {
      throw Error(fmt::format("{}: zip64 end-of-central-directory record missing at byte {}",
                              r.label(), at));
    }
    r.span(at, kZip64EndSize);
    d = {r.u64(at + 32), r.u64(at + 48), r.u64(at + 40)};
  } else if (saturated) {
    throw Error(r.label() + ": zip64 archive without its zip64 locator");
  }
  if (d.offset > r.size() || r.size() - d.offset < d.size ||
      d.entries > d.size / kCentralHeaderSize) {
    throw Error(fmt::format(
        "{}: the zip central directory ({} entries, {} bytes at byte {}) does not fit the file "
        "({} bytes; truncated?)",
        r.label(), d.entries, d.size, d.offset, r.size()));
  }
  return d;
}

// Sizes and offsets that do not fit 32 bits are in the zip64 extra field, in this order, present
// only for the fields that saturated (APPNOTE 4.5.3).
void read_zip64_extra(const Reader& r, uint64_t extra, uint64_t extra_size, ZipEntry& e,
                      uint64_t& local) {
  for (uint64_t at = extra; at + 4 <= extra + extra_size;) {
    const uint16_t id = r.u16(at);
    const uint16_t size = r.u16(at + 2);
    if (id == kZip64ExtraId) {
      uint64_t field = at + 4;
      const auto take = [&](uint64_t& value) {
        if (value != 0xFFFFFFFF) return;
        if (field + 8 > at + 4 + size) throw Error(r.label() + ": short zip64 extra field");
        value = r.u64(field);
        field += 8;
      };
      take(e.size);
      take(e.compressed_size);
      take(local);
      return;
    }
    at += 4 + size;
  }
}

ZipEntry read_entry(const Reader& r, uint64_t header, uint64_t& next, const MappedFile* file) {
  if (r.u32(header) != kCentralHeader) {
    throw Error(fmt::format("{}: corrupt zip central directory at byte {}", r.label(), header));
  }
  ZipEntry e;
  e.method = r.u16(header + 10);
  e.crc32 = r.u32(header + 16);
  e.compressed_size = r.u32(header + 20);
  e.size = r.u32(header + 24);
  const uint16_t name_len = r.u16(header + 28);
  const uint16_t extra_len = r.u16(header + 30);
  const uint16_t comment_len = r.u16(header + 32);
  uint64_t local = r.u32(header + 42);
  e.name = std::string(r.span(header + kCentralHeaderSize, name_len));
  read_zip64_extra(r, header + kCentralHeaderSize + name_len, extra_len, e, local);
  next = header + kCentralHeaderSize + name_len + extra_len + comment_len;

  if (r.u32(local) != kLocalHeader) {
    throw Error(
        fmt::format("{}: zip entry '{}': no local header at byte {}", r.label(), e.name, local));
  }
  // The local header has its own extra field (torch.save pads it to align the data); sizes come
  // from the central directory, as the local header may defer them to a data descriptor.
  e.data_offset = local + kLocalHeaderSize + r.u16(local + 26) + r.u16(local + 28);
  if (file != nullptr) file->release_around(r.span(local, kLocalHeaderSize));
  if (e.data_offset > r.size() || r.size() - e.data_offset < e.compressed_size) {
    throw Error(fmt::format(
        "{}: zip entry '{}' ({} bytes at byte {}) runs past the end of the file ({} bytes; "
        "truncated?)",
        r.label(), e.name, e.compressed_size, e.data_offset, r.size()));
  }
  return e;
}

}  // namespace

ZipArchive ZipArchive::read(std::string_view archive, std::string label) {
  ZipArchive zip;
  zip.archive_ = archive;
  zip.label_ = std::move(label);
  zip.read_directory(nullptr);
  return zip;
}

ZipArchive ZipArchive::read(const MappedFile& file) {
  ZipArchive zip;
  zip.archive_ = file.bytes();
  zip.label_ = file.label();
  zip.read_directory(&file);
  return zip;
}

void ZipArchive::read_directory(const MappedFile* file) {
  const Reader r(archive_, label_);
  const Directory d = read_directory_location(r);
  entries_.reserve(d.entries);
  uint64_t header = d.offset;
  for (uint64_t i = 0; i < d.entries; ++i) entries_.push_back(read_entry(r, header, header, file));
}

const ZipEntry* ZipArchive::find(std::string_view name) const {
  for (const auto& e : entries_) {
    if (e.name == name) return &e;
  }
  return nullptr;
}

std::string_view ZipArchive::raw(const ZipEntry& entry) const {
  // Checked against the archive in read().
  return archive_.substr(entry.data_offset, entry.compressed_size);
}

bool looks_like_zip(std::string_view bytes) { return bytes.substr(0, 4) == "PK\x03\x04"; }

}  // namespace cola

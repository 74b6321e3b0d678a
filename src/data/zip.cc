#include "data/zip.h"

#include <fmt/format.h>
#include <zlib.h>

#include "core/error.h"
#include "core/zip_archive.h"

namespace cola::data {
namespace {

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

std::string read_entry(const ZipArchive& zip, const ZipEntry& e) {
  const std::string_view bytes = zip.raw(e);
  std::string out;
  if (e.method == kZipStored && e.compressed_size == e.size) {
    out = std::string(bytes);
  } else if (e.method == kZipDeflated) {
    out = inflate_raw(bytes, e.size);
  } else {
    throw Error(fmt::format("zip: unsupported compression method {}", e.method));
  }
  const uLong actual = crc32(0L, reinterpret_cast<const Bytef*>(out.data()), uInt(out.size()));
  if (actual != e.crc32) throw Error("zip: CRC-32 mismatch");
  return out;
}

}  // namespace

std::string extract_zip_entry(std::string_view archive, std::string_view name) {
  const ZipArchive zip = ZipArchive::read(archive, "zip");
  const ZipEntry* entry = zip.find(name);
  if (entry == nullptr) throw Error(fmt::format("zip: no entry named {}", name));
  return with_context(fmt::format("zip entry {}", name), [&] { return read_entry(zip, *entry); });
}

}  // namespace cola::data

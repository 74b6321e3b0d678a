#pragma once
// The central directory of a zip archive held in memory (PKWARE APPNOTE.TXT 4.3.12-4.3.16,
// with zip64 from 4.3.14 and 4.5.3): enough to find an entry and the bytes it stores. torch.save
// archives store their entries uncompressed and 64-byte aligned, so a tensor can be read from the
// mapped file in place; data/zip.h inflates the deflated entries of downloaded archives.
// No encryption, no multi-disk archives. Every offset and size is checked against the archive.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace cola {

class MappedFile;

struct ZipEntry {
  std::string name;
  uint16_t method = 0;           // 0 stored, 8 deflated
  uint32_t crc32 = 0;            // of the uncompressed bytes
  uint64_t compressed_size = 0;  // bytes in the archive
  uint64_t size = 0;             // bytes once uncompressed
  uint64_t data_offset = 0;      // where the entry's bytes start in the archive
};

inline constexpr uint16_t kZipStored = 0;
inline constexpr uint16_t kZipDeflated = 8;

class ZipArchive {
 public:
  /// Reads the central directory. Throws Error("<label>: ...") for a file that is not a complete
  /// zip archive (truncated, corrupt directory, an entry outside the file).
  static ZipArchive read(std::string_view archive, std::string label);
  /// The same over a mapped file, dropping the pages each record header brought in as it goes
  /// (MappedFile::release_around): a torch.save archive of 200 tensors would otherwise leave a
  /// page (or a 2 MB folio) of the file resident at every one.
  static ZipArchive read(const MappedFile& file);

  /// Entries in directory order.
  const std::vector<ZipEntry>& entries() const { return entries_; }
  /// The entry called `name`, or nullptr.
  const ZipEntry* find(std::string_view name) const;
  /// The bytes `entry` occupies in the archive (compressed, if it is).
  std::string_view raw(const ZipEntry& entry) const;
  /// The archive's name in messages.
  const std::string& label() const { return label_; }

 private:
  void read_directory(const MappedFile* file);  // file: release headers' pages as they are read

  std::string_view archive_;
  std::string label_;
  std::vector<ZipEntry> entries_;
};

/// True when `bytes` starts like a zip archive (a local file header).
bool looks_like_zip(std::string_view bytes);

}  // namespace cola

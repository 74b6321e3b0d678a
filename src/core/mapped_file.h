#pragma once
// A read-only view of a whole file, mapped into memory. Checkpoint readers take tensors straight
// from the mapping (no copy of the file in memory) and release each tensor's pages once it has
// been copied into the model, so loading a model needs about the model's size in memory, not
// twice that.
#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

namespace cola {

class MappedFile {
 public:
  /// Maps `path` read-only. Throws Error("<path>: ...") when it cannot be opened or mapped.
  static std::shared_ptr<const MappedFile> open(const std::filesystem::path& path);
  /// Wraps bytes already in memory (tests, generated files); release() is then a no-op.
  static std::shared_ptr<const MappedFile> from_bytes(std::string bytes, std::string label);

  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  /// The file's bytes (valid while this object lives).
  std::string_view bytes() const { return {data_, size_}; }
  /// The path (or label) for messages.
  const std::string& label() const { return label_; }

  /// Drops the pages wholly inside `part` (which must lie in bytes()) from this process's memory.
  /// They stay in the page cache and are read back if touched again, so this is only a hint about
  /// memory, never about correctness.
  void release(std::string_view part) const;
  /// Drops the 2 MB-aligned span around `part`: after a small read (a zip header), where the
  /// page cache holds large folios and a fault maps up to 2 MB at once, release() of the few
  /// bytes read would leave the rest resident.
  void release_around(std::string_view part) const;

 private:
  MappedFile() = default;
  void drop(size_t begin, size_t end) const;  // madvise over file offsets [begin, end)
  const char* data_ = nullptr;
  size_t size_ = 0;
  bool mapped_ = false;  // false: data_ points into owned_
  std::string owned_;
  std::string label_;
};

}  // namespace cola

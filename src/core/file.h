#pragma once
// File helpers. Every file cola writes goes through write_file_atomic or AtomicFileWriter, so a
// crash or a full disk never leaves a half-written file under the final name.
#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>

namespace cola {

/// Reads a whole file; throws Error("<path>: <reason>") when it cannot.
std::string read_file(const std::filesystem::path& path);

/// Writes `content` to `path` atomically: a temp file in the same directory, fsync, rename, then
/// fsync of the directory. Creates missing parent directories.
void write_file_atomic(const std::filesystem::path& path, std::string_view content);

/// Streams into a temp file beside `path`; commit() renames it into place. If the writer is
/// destroyed without commit() (an exception, an early return), the temp file is removed.
class AtomicFileWriter {
 public:
  /// `temp` names the temporary file when a convention requires it (huggingface_hub's
  /// "<blob>.<hex>.incomplete"); empty, a hidden unique sibling of `path`. The file must not exist.
  explicit AtomicFileWriter(std::filesystem::path path, std::filesystem::path temp = {});
  ~AtomicFileWriter();
  AtomicFileWriter(const AtomicFileWriter&) = delete;
  AtomicFileWriter& operator=(const AtomicFileWriter&) = delete;

  /// Appends bytes; throws Error naming the file on a write failure.
  void write(std::string_view bytes);
  /// Flushes, fsyncs and renames the temp file to the final path.
  void commit();
  /// The final path.
  const std::filesystem::path& path() const { return path_; }
  /// Where the bytes are until commit().
  const std::filesystem::path& temp_path() const { return temp_; }

 private:
  std::filesystem::path path_;
  std::filesystem::path temp_;
  std::FILE* file_ = nullptr;
};

/// A unique hidden name beside `path` (same directory, so a rename into place is atomic).
std::filesystem::path temp_sibling(const std::filesystem::path& path);

/// For a file another library wrote at `temp` (a temp_sibling of `path`): fsyncs it, renames it
/// over `path` and fsyncs the directory. Throws Error naming `path`; `temp` is removed on failure.
void commit_file(const std::filesystem::path& temp, const std::filesystem::path& path);

/// fsyncs a directory so that a rename inside it survives a power loss.
void fsync_directory(const std::filesystem::path& dir);

}  // namespace cola

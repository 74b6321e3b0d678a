#pragma once
// An append-only log file (a run's metrics.jsonl, its TensorBoard event files). Logs grow while
// they are read, so they cannot be replaced by rename as other files are. Each record goes to the
// kernel in one write() on an O_APPEND descriptor, with no user-space buffer that a kill -9 would
// lose. Linux still stops a write() at a page boundary when SIGKILL arrives, so a killed writer can
// leave its last record cut short: readers drop such a tail, as TensorBoard does, and
// trim_torn_tail() removes it before a log is appended to again. sync() makes the records durable
// against a power loss too.
#include <cstddef>
#include <filesystem>
#include <string_view>

namespace cola {

class AppendFile {
 public:
  enum class Mode { append, create_new };
  /// Opens `path` for appending, creating it and missing parent directories; create_new fails if
  /// it exists. Throws Error naming the file; for create_new, FileExists when it exists.
  AppendFile(const std::filesystem::path& path, Mode mode);
  ~AppendFile();  // closes without syncing
  AppendFile(const AppendFile&) = delete;
  AppendFile& operator=(const AppendFile&) = delete;

  /// Appends one record whole. A short write (a full disk) is truncated back off, so the file
  /// never ends in a partial record; then Error naming the file.
  void append(std::string_view record);
  /// fdatasync: everything appended so far survives a power loss.
  void sync();
  /// Cuts the file back to just after its last `terminator` (to empty when it has none): removes
  /// the torn record a killed writer may have left. Returns the bytes removed.
  size_t trim_torn_tail(char terminator);
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  int fd_ = -1;
};

/// AppendFile(..., create_new) on a path that already exists.
struct FileExists : std::exception {
  const char* what() const noexcept override { return "file exists"; }
};

}  // namespace cola

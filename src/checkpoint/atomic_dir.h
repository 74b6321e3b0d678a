#pragma once
// Writing a whole directory atomically: it is built under a hidden temporary sibling and swapped
// into place with one rename, so a reader (or a crash) sees the old directory or the new one,
// never a mix. core/file.h does the same for single files; this may move there if other modules
// need it.
#include <filesystem>

namespace cola::checkpoint {

/// Usage: AtomicDirectory out(dir); write files under out.temp_path(); out.commit();
/// Destroyed without commit() (an exception, an early return), it removes the temporary
/// directory and leaves `dir` as it was.
class AtomicDirectory {
 public:
  /// Creates the temporary sibling (and missing parents). Throws Error when it cannot.
  explicit AtomicDirectory(std::filesystem::path dir);
  ~AtomicDirectory();
  AtomicDirectory(const AtomicDirectory&) = delete;
  AtomicDirectory& operator=(const AtomicDirectory&) = delete;

  /// fsyncs everything under the temporary directory, then moves it to path(). An existing
  /// directory there is replaced: swapped out atomically with renameat2(RENAME_EXCHANGE) where the
  /// filesystem supports it, else renamed aside first; then removed.
  void commit();

  /// The final path.
  const std::filesystem::path& path() const { return path_; }
  /// Where to write until commit().
  const std::filesystem::path& temp_path() const { return temp_; }

 private:
  std::filesystem::path path_;
  std::filesystem::path temp_;
  bool committed_ = false;
};

}  // namespace cola::checkpoint

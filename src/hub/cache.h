#pragma once
// huggingface_hub's cache layout, byte for byte, so that a cache filled by Python serves cola and
// the other way round (file_download.py: _hf_hub_download_to_cache_dir, _create_symlink,
// _cache_commit_hash_for_specific_revision, repo_folder_name):
//   <cache>/models--org--name/blobs/<etag>                  the content, named by its etag
//   <cache>/models--org--name/snapshots/<commit>/<file>     -> ../../blobs/<etag> (relative link)
//   <cache>/models--org--name/refs/<revision>               the commit, no newline
//   <cache>/models--org--name/.no_exist/<commit>/<file>     empty: the repo has no such file
//   <cache>/.locks/models--org--name/<etag>.lock            flock'ed while a blob is written
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "core/file.h"

namespace cola::hub {

/// "models--org--name": a model repo's folder in the cache (repo_folder_name, separator "--").
std::string repo_folder_name(std::string_view repo_id);

/// Throws Error when a repo's file name could land outside its snapshot folder (absolute, a ".."
/// segment, a backslash or a drive letter): _validate_relative_filename in _local_folder.py.
void validate_relative_filename(std::string_view filename);

/// The link target of snapshots/<commit>/<filename>: "../../blobs/<etag>", one more "../" per
/// folder in `filename` (os.path.relpath from the link's folder, as _create_symlink computes it).
std::string blob_link_target(std::string_view filename, std::string_view etag);

/// One repo's folder in a Hub cache. Paths only; nothing is created until something is written.
class RepoCache {
 public:
  RepoCache(std::filesystem::path cache_dir, std::string_view repo_id);

  /// The cache folder (HF_HUB_CACHE).
  const std::filesystem::path& cache_dir() const { return cache_dir_; }
  /// <cache>/models--org--name.
  const std::filesystem::path& root() const { return root_; }

  /// The commit refs/<revision> holds, or nullopt when there is no such ref. Throws Error when
  /// the file holds something other than a commit hash.
  std::optional<std::string> read_ref(const std::string& revision) const;
  /// Writes refs/<revision> (atomically, without a newline) unless it already holds `commit`.
  void write_ref(const std::string& revision, const std::string& commit) const;

  /// snapshots/<commit>.
  std::filesystem::path snapshot_dir(const std::string& commit) const;
  /// snapshots/<commit>/<filename>, after validate_relative_filename.
  std::filesystem::path snapshot_file(const std::string& commit, const std::string& filename) const;
  /// blobs/<etag>.
  std::filesystem::path blob(const std::string& etag) const;
  /// .locks/models--org--name/<etag>.lock.
  std::filesystem::path lock_path(const std::string& etag) const;

  /// True when snapshots/<commit>/<filename> exists (following the link: its blob is there too).
  bool has_file(const std::string& commit, const std::string& filename) const;
  /// True when .no_exist/<commit>/<filename> records that the repo has no such file.
  bool known_missing(const std::string& commit, const std::string& filename) const;
  /// Records that the repo has no `filename` at `commit` (an empty file, as Python's touch());
  /// best effort: a failure is logged, as Python logs it.
  void mark_missing(const std::string& commit, const std::string& filename) const;
  /// Points snapshots/<commit>/<filename> at blobs/<etag> with a relative symlink, replacing
  /// whatever was there (atomically: a temporary link renamed over it).
  void link(const std::string& commit, const std::string& filename, const std::string& etag) const;
  /// Writes <cache>/CACHEDIR.TAG as huggingface_hub does (_create_cachedir_tag), if absent.
  void tag_cache_dir() const;

 private:
  std::filesystem::path cache_dir_;
  std::filesystem::path root_;
  std::string folder_;
};

/// An exclusive flock(2) on a file, held while the object lives: the lock Python's filelock takes
/// on Unix, so that cola and huggingface_hub never write the same blob at once.
class FileLock {
 public:
  explicit FileLock(const std::filesystem::path& path);
  ~FileLock();
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  int fd_ = -1;
};

/// A blob being written: blobs/<etag>.<8 hex>.incomplete (the per-process temporary name of
/// _download_to_tmp_and_move) until commit() renames it to blobs/<etag>. Removed when the object
/// dies uncommitted, so a failed download leaves nothing behind.
class IncompleteBlob : public AtomicFileWriter {
 public:
  explicit IncompleteBlob(const std::filesystem::path& blob_path);
};

}  // namespace cola::hub

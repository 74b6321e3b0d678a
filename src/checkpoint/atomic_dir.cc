#include "checkpoint/atomic_dir.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>

#include "core/error.h"
#include "core/file.h"

namespace cola::checkpoint {
namespace fs = std::filesystem;
namespace {

// A hidden sibling in the same directory, so that rename() stays on one filesystem.
fs::path sibling(const fs::path& path, const char* kind) {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  return path.parent_path() / ("." + path.filename().string() + "." + kind + "-" +
                               std::to_string(::getpid()) + "-" + std::to_string(rng() % 1000000));
}

void fsync_file(const fs::path& file) {
  const int fd = ::open(file.c_str(), O_RDONLY);
  if (fd < 0) throw Error(file.string() + ": cannot open to sync: " + std::strerror(errno));
  const bool ok = ::fsync(fd) == 0;
  const int saved = errno;
  ::close(fd);
  if (!ok) throw Error(file.string() + ": fsync failed: " + std::strerror(saved));
}

// Files written by callers' callbacks (trainer state...) may not have been synced yet.
void fsync_tree(const fs::path& root) {
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (entry.is_regular_file()) {
      fsync_file(entry.path());
    } else if (entry.is_directory()) {
      fsync_directory(entry.path());
    }
  }
  fsync_directory(root);
}

void rename_or_throw(const fs::path& from, const fs::path& to) {
  std::error_code ec;
  fs::rename(from, to, ec);
  if (ec) throw Error(from.string() + ": cannot rename to " + to.string() + ": " + ec.message());
}

}  // namespace

AtomicDirectory::AtomicDirectory(fs::path dir) : path_(std::move(dir)) {
  // "out/ckpt/" names the directory "out/ckpt": drop the empty last component.
  path_ = path_.lexically_normal();
  if (!path_.has_filename()) path_ = path_.parent_path();
  if (path_.empty() || path_ == "." || path_ == "..") {
    throw Error("'" + path_.string() + "' cannot be replaced as a directory");
  }
  std::error_code ec;
  if (fs::exists(path_, ec) && !fs::is_directory(path_, ec)) {
    throw Error(path_.string() + ": exists and is not a directory");
  }
  if (path_.has_parent_path()) fs::create_directories(path_.parent_path(), ec);
  temp_ = sibling(path_, "tmp");
  if (ec || !fs::create_directory(temp_, ec)) {
    throw Error(temp_.string() + ": cannot create directory: " + ec.message());
  }
}

AtomicDirectory::~AtomicDirectory() {
  if (!committed_) {
    std::error_code ec;
    fs::remove_all(temp_, ec);
  }
}

void AtomicDirectory::commit() {
  if (committed_) throw Error(path_.string() + ": committed twice");
  fsync_tree(temp_);
  std::error_code ec;
  if (!fs::exists(path_, ec)) {
    rename_or_throw(temp_, path_);
  } else if (::renameat2(AT_FDCWD, temp_.c_str(), AT_FDCWD, path_.c_str(), RENAME_EXCHANGE) == 0) {
    fs::remove_all(temp_, ec);  // now the old directory; a leftover is harmless, so no throw
  } else if (errno == EINVAL || errno == ENOSYS || errno == EOPNOTSUPP) {
    // No atomic exchange on this filesystem: move the old one aside, the new one in, then drop
    // the old. A crash in between leaves the old directory under its hidden name.
    const fs::path old = sibling(path_, "old");
    rename_or_throw(path_, old);
    try {
      rename_or_throw(temp_, path_);
    } catch (...) {
      fs::rename(old, path_, ec);
      throw;
    }
    fs::remove_all(old, ec);
  } else {
    throw Error(path_.string() + ": cannot replace with " + temp_.string() + ": " +
                std::strerror(errno));
  }
  committed_ = true;
  fsync_directory(path_.parent_path());
}

}  // namespace cola::checkpoint

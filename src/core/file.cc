#include "core/file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>

#include "core/error.h"

namespace cola {
namespace fs = std::filesystem;

namespace {

std::string errno_text() { return std::strerror(errno); }

// The end of every atomic write: a temp file whose data reached the disk (`written`, else `why`)
// replaces `path`, and the rename itself is made durable. On failure the temp file goes.
void rename_into_place(const fs::path& temp, const fs::path& path, bool written,
                       const std::string& why) {
  std::error_code ec;
  if (!written) {
    fs::remove(temp, ec);
    throw Error(path.string() + ": write failed: " + why);
  }
  fs::rename(temp, path, ec);
  if (ec) {
    fs::remove(temp, ec);
    throw Error(path.string() + ": cannot rename into place: " + ec.message());
  }
  fsync_directory(path.parent_path());
}

}  // namespace

// Hidden, with the pid and a random suffix, so concurrent writers never collide.
fs::path temp_sibling(const fs::path& path) {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  auto name = "." + path.filename().string() + ".tmp" + std::to_string(::getpid()) + "." +
              std::to_string(rng() % 1000000);
  return path.parent_path() / name;
}

void commit_file(const fs::path& temp, const fs::path& path) {
  const int fd = ::open(temp.c_str(), O_RDONLY | O_CLOEXEC);
  const bool synced = fd >= 0 && ::fsync(fd) == 0;
  const std::string why = synced ? "" : errno_text();
  if (fd >= 0) ::close(fd);
  rename_into_place(temp, path, synced, why);
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path.string() + ": cannot open: " + errno_text());
  std::ostringstream buf;
  buf << in.rdbuf();
  if (in.bad()) throw Error(path.string() + ": read failed: " + errno_text());
  return std::move(buf).str();
}

void fsync_directory(const fs::path& dir) {
  const int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return;  // Best effort: some filesystems do not allow opening directories.
  ::fsync(fd);
  ::close(fd);
}

AtomicFileWriter::AtomicFileWriter(fs::path path, fs::path temp)
    : path_(std::move(path)), temp_(std::move(temp)) {
  std::error_code ec;
  if (path_.has_parent_path()) fs::create_directories(path_.parent_path(), ec);
  if (ec) throw Error(path_.parent_path().string() + ": cannot create directory: " + ec.message());
  if (temp_.empty()) temp_ = temp_sibling(path_);
  file_ = std::fopen(temp_.c_str(), "wbx");  // x: never truncate a file someone else writes
  if (file_ == nullptr) throw Error(path_.string() + ": cannot create: " + errno_text());
}

AtomicFileWriter::~AtomicFileWriter() {
  if (file_ != nullptr) {
    std::fclose(file_);
    std::error_code ec;
    fs::remove(temp_, ec);
  }
}

void AtomicFileWriter::write(std::string_view bytes) {
  if (file_ == nullptr) throw Error(path_.string() + ": write after commit");
  if (!bytes.empty() && std::fwrite(bytes.data(), 1, bytes.size(), file_) != bytes.size()) {
    throw Error(path_.string() + ": write failed: " + errno_text());
  }
}

void AtomicFileWriter::commit() {
  if (file_ == nullptr) throw Error(path_.string() + ": committed twice");
  bool ok = std::fflush(file_) == 0 && ::fsync(::fileno(file_)) == 0;
  std::string why = ok ? "" : errno_text();
  if (std::fclose(file_) != 0 && ok) {
    ok = false;
    why = errno_text();
  }
  file_ = nullptr;
  rename_into_place(temp_, path_, ok, why);
}

void write_file_atomic(const fs::path& path, std::string_view content) {
  AtomicFileWriter writer(path);
  writer.write(content);
  writer.commit();
}

}  // namespace cola

#include "core/append_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "core/error.h"

namespace cola {

AppendFile::AppendFile(const std::filesystem::path& path, Mode mode) : path_(path) {
  std::error_code ec;
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
  const int flags =
      O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | (mode == Mode::create_new ? O_EXCL : 0);
  fd_ = ::open(path.c_str(), flags, 0644);
  if (fd_ < 0) {
    if (errno == EEXIST && mode == Mode::create_new) throw FileExists();
    throw Error(path.string() + ": cannot open: " + std::strerror(errno));
  }
}

AppendFile::~AppendFile() {
  if (fd_ >= 0) ::close(fd_);
}

void AppendFile::append(std::string_view record) {
  size_t done = 0;
  while (done < record.size()) {
    const ssize_t n = ::write(fd_, record.data() + done, record.size() - done);
    if (n > 0) {
      done += static_cast<size_t>(n);
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      const std::string why = n < 0 ? std::strerror(errno) : "no space written";
      // No partial record stays. Found only now, off the common path: after an O_APPEND write
      // the offset is the file's end, `done` bytes past where the record began.
      const off_t end = done > 0 ? ::lseek(fd_, 0, SEEK_CUR) : -1;
      if (end >= static_cast<off_t>(done)) (void)::ftruncate(fd_, end - static_cast<off_t>(done));
      throw Error(path_.string() + ": write failed: " + why);
    }
  }
}

void AppendFile::sync() {
  if (::fdatasync(fd_) != 0)
    throw Error(path_.string() + ": fsync failed: " + std::strerror(errno));
}

size_t AppendFile::trim_torn_tail(char terminator) {
  const off_t size = ::lseek(fd_, 0, SEEK_END);
  if (size < 0) throw Error(path_.string() + ": cannot seek: " + std::strerror(errno));
  const int reader = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (reader < 0) throw Error(path_.string() + ": cannot open: " + std::strerror(errno));
  off_t keep = 0;  // where the last terminator ends, scanning back a block at a time
  char block[4096];
  for (off_t end = size; end > 0 && keep == 0;) {
    const off_t begin =
        end > static_cast<off_t>(sizeof block) ? end - static_cast<off_t>(sizeof block) : 0;
    const ssize_t n = ::pread(reader, block, static_cast<size_t>(end - begin), begin);
    if (n != end - begin) {
      ::close(reader);
      throw Error(path_.string() + ": read failed: " + std::strerror(errno));
    }
    for (ssize_t i = n; i > 0; --i) {
      if (block[i - 1] == terminator) {
        keep = begin + i;
        break;
      }
    }
    end = begin;
  }
  ::close(reader);
  if (keep == size) return 0;
  if (::ftruncate(fd_, keep) != 0) {
    throw Error(path_.string() + ": cannot trim a torn last record: " + std::strerror(errno));
  }
  return static_cast<size_t>(size - keep);
}

}  // namespace cola

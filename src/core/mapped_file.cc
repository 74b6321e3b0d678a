#include "core/mapped_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>

#include "core/error.h"

namespace cola {

std::shared_ptr<const MappedFile> MappedFile::open(const std::filesystem::path& path) {
  std::shared_ptr<MappedFile> file(new MappedFile());
  file->label_ = path.string();
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw Error(file->label_ + ": cannot open: " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    const int err = errno;
    ::close(fd);
    throw Error(file->label_ + ": not a regular file" +
                (err != 0 ? std::string(": ") + std::strerror(err) : ""));
  }
  file->size_ = static_cast<size_t>(st.st_size);
  if (file->size_ > 0) {
    void* p = ::mmap(nullptr, file->size_, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) {
      const int err = errno;
      ::close(fd);
      throw Error(file->label_ + ": cannot map: " + std::strerror(err));
    }
    file->data_ = static_cast<const char*>(p);
    file->mapped_ = true;
  }
  ::close(fd);  // the mapping keeps the file
  return file;
}

std::shared_ptr<const MappedFile> MappedFile::from_bytes(std::string bytes, std::string label) {
  std::shared_ptr<MappedFile> file(new MappedFile());
  file->owned_ = std::move(bytes);
  file->data_ = file->owned_.data();
  file->size_ = file->owned_.size();
  file->label_ = std::move(label);
  return file;
}

MappedFile::~MappedFile() {
  if (mapped_) ::munmap(const_cast<char*>(data_), size_);
}

void MappedFile::release(std::string_view part) const {
  if (!mapped_ || part.empty() || part.data() < data_ ||
      part.data() + part.size() > data_ + size_) {
    return;
  }
  // Only whole pages inside `part`: a page shared with a neighbouring tensor may still be needed.
  // Offsets in the file, whose start the mapping puts at a page boundary.
  const auto page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  const auto offset = static_cast<size_t>(part.data() - data_);
  drop((offset + page - 1) / page * page, (offset + part.size()) / page * page);
}

void MappedFile::release_around(std::string_view part) const {
  if (!mapped_ || part.data() < data_ || part.data() + part.size() > data_ + size_) return;
  // The page cache keeps large folios aligned to their size in the file, up to a PMD's 2 MB.
  constexpr size_t kSpan = size_t{2} << 20;
  const auto offset = static_cast<size_t>(part.data() - data_);
  const auto page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  const size_t end = std::min((offset + part.size() + kSpan - 1) / kSpan * kSpan, size_);
  drop(offset / kSpan * kSpan, (end + page - 1) / page * page);
}

void MappedFile::drop(size_t begin, size_t end) const {
  if (end <= begin) return;
  // MADV_DONTNEED on a private read-only file mapping drops the pages from our resident set;
  // touching them again faults them back in from the file. (The range may end past size_
  // within the mapping's last page.)
  ::madvise(const_cast<char*>(data_) + begin, end - begin, MADV_DONTNEED);
}

}  // namespace cola

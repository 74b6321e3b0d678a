#include "hub/cache.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <random>

#include "core/error.h"
#include "core/file.h"
#include "core/log.h"
#include "hub/repo_id.h"

namespace cola::hub {
namespace fs = std::filesystem;

namespace {

// _local_folder.py CACHEDIR_TAG_CONTENT, byte for byte.
constexpr std::string_view kCachedirTag =
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by huggingface_hub.\n"
    "# For information about cache directory tags, see:\n"
    "#\thttps://bford.info/cachedir/\n";

std::string random_hex8() {
  static thread_local std::mt19937 rng{std::random_device{}()};
  return fmt::format("{:08x}", rng());
}

std::string errno_text() { return std::strerror(errno); }

}  // namespace

std::string repo_folder_name(std::string_view repo_id) {
  std::string name = "models";
  size_t start = 0;
  while (start <= repo_id.size()) {  // "--".join(["models", *repo_id.split("/")])
    const size_t slash = std::min(repo_id.find('/', start), repo_id.size());
    name += "--";
    name += repo_id.substr(start, slash - start);
    start = slash + 1;
  }
  return name;
}

void validate_relative_filename(std::string_view filename) {
  const auto reject = [&](std::string_view why) {
    return Error(fmt::format("invalid file name '{}' in the repo: {}", filename, why));
  };
  if (filename.empty()) throw reject("it is empty");
  if (filename.front() == '/') throw reject("an absolute path");
  size_t start = 0;
  while (start <= filename.size()) {
    const size_t end = std::min(filename.find_first_of("/\\", start), filename.size());
    if (filename.substr(start, end - start) == "..") throw reject("a '..' path segment");
    start = end + 1;
  }
  // Windows rules too, per '/' segment, so a cache copied to Windows cannot escape either.
  start = 0;
  while (start <= filename.size()) {
    const size_t end = std::min(filename.find('/', start), filename.size());
    const std::string_view part = filename.substr(start, end - start);
    const bool drive = part.size() >= 2 && part[1] == ':' &&
                       std::isalpha(static_cast<unsigned char>(part[0])) != 0;
    if (part.starts_with('\\') || drive) throw reject("a drive, root or UNC path");
    start = end + 1;
  }
}

std::string blob_link_target(std::string_view filename, std::string_view etag) {
  std::string target = "../../";  // from snapshots/<commit>/ up to the repo folder
  for (const char c : filename) {
    if (c == '/') target += "../";
  }
  return fmt::format("{}blobs/{}", target, etag);
}

RepoCache::RepoCache(fs::path cache_dir, std::string_view repo_id)
    : cache_dir_(std::move(cache_dir)), folder_(repo_folder_name(repo_id)) {
  root_ = cache_dir_ / folder_;
}

std::optional<std::string> RepoCache::read_ref(const std::string& revision) const {
  const fs::path path = root_ / "refs" / revision;
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) return std::nullopt;
  std::string commit = read_file(path);
  // Python writes no newline; one added by hand or by another tool is not part of the commit.
  while (!commit.empty() && std::isspace(static_cast<unsigned char>(commit.back())) != 0) {
    commit.pop_back();
  }
  if (!is_commit_hash(commit)) {
    throw Error(fmt::format("{}: expected a 40-hex commit, found '{}'", path.string(), commit));
  }
  return commit;
}

void RepoCache::write_ref(const std::string& revision, const std::string& commit) const {
  if (revision == commit) return;  // a commit needs no ref
  const fs::path path = root_ / "refs" / revision;
  std::error_code ec;
  if (fs::is_regular_file(path, ec) && read_file(path) == commit) return;
  write_file_atomic(path, commit);
}

fs::path RepoCache::snapshot_dir(const std::string& commit) const {
  return root_ / "snapshots" / commit;
}

fs::path RepoCache::snapshot_file(const std::string& commit, const std::string& filename) const {
  validate_relative_filename(filename);
  return snapshot_dir(commit) / filename;
}

fs::path RepoCache::blob(const std::string& etag) const { return root_ / "blobs" / etag; }

fs::path RepoCache::lock_path(const std::string& etag) const {
  return cache_dir_ / ".locks" / folder_ / (etag + ".lock");
}

bool RepoCache::has_file(const std::string& commit, const std::string& filename) const {
  std::error_code ec;
  return fs::exists(snapshot_file(commit, filename), ec);
}

bool RepoCache::known_missing(const std::string& commit, const std::string& filename) const {
  validate_relative_filename(filename);
  std::error_code ec;
  return fs::is_regular_file(root_ / ".no_exist" / commit / filename, ec);
}

void RepoCache::mark_missing(const std::string& commit, const std::string& filename) const {
  validate_relative_filename(filename);
  const fs::path path = root_ / ".no_exist" / commit / filename;
  std::error_code ec;
  if (fs::exists(path, ec)) return;
  fs::create_directories(path.parent_path(), ec);
  std::FILE* f = ec ? nullptr : std::fopen(path.c_str(), "ab");
  if (f == nullptr) {  // Python logs and carries on: the marker is a hint, not a result
    log::warn("cannot record that the repo has no {}: {}: {}", filename, path.string(),
              ec ? ec.message() : errno_text());
    return;
  }
  std::fclose(f);
}

void RepoCache::link(const std::string& commit, const std::string& filename,
                     const std::string& etag) const {
  const fs::path path = snapshot_file(commit, filename);
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  if (ec)
    throw Error(fmt::format("{}: cannot create: {}", path.parent_path().string(), ec.message()));
  const fs::path temp =
      path.parent_path() / fmt::format(".{}.{}.link", path.filename().string(), random_hex8());
  fs::create_symlink(blob_link_target(filename, etag), temp, ec);
  if (!ec) fs::rename(temp, path, ec);
  if (ec) {
    std::error_code ignored;
    fs::remove(temp, ignored);
    throw Error(fmt::format("{}: cannot link to blobs/{}: {}", path.string(), etag, ec.message()));
  }
}

void RepoCache::tag_cache_dir() const {
  const fs::path tag = cache_dir_ / "CACHEDIR.TAG";
  std::error_code ec;
  if (fs::exists(tag, ec)) return;
  try {
    write_file_atomic(tag, kCachedirTag);
  } catch (const Error&) {  // best effort, as in Python
  }
}

FileLock::FileLock(const fs::path& path) {
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0664);  // filelock's mode
  if (fd_ < 0)
    throw Error(fmt::format("{}: cannot open lock file: {}", path.string(), errno_text()));
  while (::flock(fd_, LOCK_EX) != 0) {
    if (errno == EINTR) continue;
    const std::string why = errno_text();
    ::close(fd_);
    throw Error(fmt::format("{}: cannot lock: {}", path.string(), why));
  }
}

FileLock::~FileLock() {
  if (fd_ >= 0) ::close(fd_);  // closing releases the flock
}

IncompleteBlob::IncompleteBlob(const fs::path& blob_path)
    : AtomicFileWriter(blob_path, blob_path.parent_path() /
                                      fmt::format("{}.{}.incomplete", blob_path.filename().string(),
                                                  random_hex8())) {}

}  // namespace cola::hub

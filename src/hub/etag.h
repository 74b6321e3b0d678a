#pragma once
// Checking a download against its Hub etag while it streams: an LFS file's etag is the sha256 of
// its content; a regular (git) file's etag is its git blob id, sha1("blob <size>\0" + content).
// (file_download.py hf_hub_url: "An object's ETag is: its git-sha1 if stored in git, or its sha256
// if stored in git-lfs.")
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace cola::hub {

/// How an etag can be checked.
enum class EtagKind {
  kSha256,   // 64 hex digits: sha256 of the content (LFS)
  kGitSha1,  // 40 hex digits: git blob sha1
  kOpaque,   // anything else: nothing to check but the size
};

/// Which kind `etag` (already normalised) is.
EtagKind etag_kind(std::string_view etag);

/// Hashes content as it arrives, the way its etag is computed; size must be known up front for a
/// git blob id (its header carries the size).
class ContentHasher {
 public:
  ContentHasher(EtagKind kind, uint64_t size);
  ~ContentHasher();
  ContentHasher(const ContentHasher&) = delete;
  ContentHasher& operator=(const ContentHasher&) = delete;

  /// Adds bytes.
  void update(std::string_view bytes);
  /// The digest in lowercase hex ("" for kOpaque). Call once, at the end.
  std::string hex();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// git's blob id of `content` (`git hash-object`): for tests and small files.
std::string git_blob_sha1(std::string_view content);

}  // namespace cola::hub

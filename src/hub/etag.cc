#include "hub/etag.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>

#include "core/digest.h"

namespace cola::hub {
namespace {

bool is_lower_hex(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

}  // namespace

EtagKind etag_kind(std::string_view etag) {
  if (!is_lower_hex(etag)) return EtagKind::kOpaque;
  if (etag.size() == 64) return EtagKind::kSha256;  // REGEX_SHA256 in file_download.py
  if (etag.size() == 40) return EtagKind::kGitSha1;
  return EtagKind::kOpaque;
}

struct ContentHasher::Impl {
  std::optional<core::Digest> digest;  // none for an opaque etag
};

ContentHasher::ContentHasher(EtagKind kind, uint64_t size) : impl_(std::make_unique<Impl>()) {
  if (kind == EtagKind::kOpaque) return;
  impl_->digest.emplace(kind == EtagKind::kSha256 ? core::DigestAlgorithm::sha256
                                                  : core::DigestAlgorithm::sha1);
  if (kind == EtagKind::kGitSha1) {
    const std::string header = fmt::format("blob {}", size);
    update(std::string_view(header.c_str(), header.size() + 1));  // with its '\0'
  }
}

ContentHasher::~ContentHasher() = default;

void ContentHasher::update(std::string_view bytes) {
  if (impl_->digest) impl_->digest->update(bytes);
}

std::string ContentHasher::hex() { return impl_->digest ? impl_->digest->hex() : ""; }

std::string git_blob_sha1(std::string_view content) {
  ContentHasher hasher(EtagKind::kGitSha1, content.size());
  hasher.update(content);
  return hasher.hex();
}

}  // namespace cola::hub

#include "hub/digest.h"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <algorithm>

#include "core/error.h"

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
  EVP_MD_CTX* ctx = nullptr;
  ~Impl() { EVP_MD_CTX_free(ctx); }
};

ContentHasher::ContentHasher(EtagKind kind, uint64_t size) : impl_(std::make_unique<Impl>()) {
  if (kind == EtagKind::kOpaque) return;
  impl_->ctx = EVP_MD_CTX_new();
  const EVP_MD* md = kind == EtagKind::kSha256 ? EVP_sha256() : EVP_sha1();
  if (impl_->ctx == nullptr || EVP_DigestInit_ex(impl_->ctx, md, nullptr) != 1) {
    throw Error("digest: EVP_DigestInit_ex failed");
  }
  if (kind == EtagKind::kGitSha1) {
    const std::string header = fmt::format("blob {}", size);
    update(std::string_view(header.c_str(), header.size() + 1));  // with its '\0'
  }
}

ContentHasher::~ContentHasher() = default;

void ContentHasher::update(std::string_view bytes) {
  if (impl_->ctx == nullptr) return;
  if (EVP_DigestUpdate(impl_->ctx, bytes.data(), bytes.size()) != 1) {
    throw Error("digest: EVP_DigestUpdate failed");
  }
}

std::string ContentHasher::hex() {
  if (impl_->ctx == nullptr) return "";
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_DigestFinal_ex(impl_->ctx, digest, &length) != 1) {
    throw Error("digest: EVP_DigestFinal_ex failed");
  }
  std::string out;
  out.reserve(size_t{2} * length);
  for (unsigned int i = 0; i < length; ++i) out += fmt::format("{:02x}", digest[i]);
  return out;
}

std::string git_blob_sha1(std::string_view content) {
  ContentHasher hasher(EtagKind::kGitSha1, content.size());
  hasher.update(content);
  return hasher.hex();
}

}  // namespace cola::hub

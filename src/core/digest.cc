#include "core/digest.h"

#include <openssl/evp.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include "core/error.h"

namespace cola::core {
namespace {

const EVP_MD* evp(DigestAlgorithm algorithm) {
  switch (algorithm) {
    case DigestAlgorithm::md5:
      return EVP_md5();
    case DigestAlgorithm::sha1:
      return EVP_sha1();
    case DigestAlgorithm::sha256:
      return EVP_sha256();
  }
  return EVP_sha256();
}

struct FileClose {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

}  // namespace

struct Digest::Impl {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ~Impl() { EVP_MD_CTX_free(ctx); }
  Impl() = default;
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;
};

// libcrypto reports only allocation failures here; they are errors, not crashes.
Digest::Digest(DigestAlgorithm algorithm) : impl_(std::make_unique<Impl>()) {
  if (impl_->ctx == nullptr || EVP_DigestInit_ex(impl_->ctx, evp(algorithm), nullptr) != 1) {
    throw Error("digest: EVP_DigestInit_ex failed");
  }
}

Digest::~Digest() = default;
Digest::Digest(Digest&&) noexcept = default;
Digest& Digest::operator=(Digest&&) noexcept = default;

void Digest::update(std::string_view bytes) {
  if (EVP_DigestUpdate(impl_->ctx, bytes.data(), bytes.size()) != 1) {
    throw Error("digest: EVP_DigestUpdate failed");
  }
}

std::string Digest::hex() {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_DigestFinal_ex(impl_->ctx, digest, &length) != 1) {
    throw Error("digest: EVP_DigestFinal_ex failed");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(size_t{2} * length);
  for (unsigned int i = 0; i < length; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 0xF];
  }
  return hex;
}

FileDigest digest_file(const std::filesystem::path& path, DigestAlgorithm algorithm) {
  std::unique_ptr<std::FILE, FileClose> f(std::fopen(path.c_str(), "rb"));
  if (!f) throw Error(path.string() + ": cannot open: " + std::strerror(errno));
  Digest digest(algorithm);
  std::vector<char> block(size_t{1} << 20);
  FileDigest d;
  size_t n = 0;
  while ((n = std::fread(block.data(), 1, block.size(), f.get())) > 0) {
    digest.update(std::string_view(block.data(), n));
    d.size += n;
  }
  if (std::ferror(f.get()) != 0) {
    throw Error(path.string() + ": read failed: " + std::strerror(errno));
  }
  d.hex = digest.hex();
  return d;
}

std::string digest_hex(std::string_view bytes, DigestAlgorithm algorithm) {
  Digest digest(algorithm);
  digest.update(bytes);
  return digest.hex();
}

}  // namespace cola::core

namespace cola {

std::string sha256_hex(std::string_view bytes) {
  return core::digest_hex(bytes, core::DigestAlgorithm::sha256);
}

std::string sha256_file(const std::filesystem::path& path) {
  return core::digest_file(path, core::DigestAlgorithm::sha256).hex;
}

}  // namespace cola

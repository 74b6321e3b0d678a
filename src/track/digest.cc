#include "track/digest.h"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

#include "core/error.h"

namespace cola::track {
namespace {

struct CtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
struct FileClose {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

// Incremental EVP digest; throws on the (allocation) failures libcrypto can report.
class Hasher {
 public:
  explicit Hasher(HashAlgorithm algorithm) : ctx_(EVP_MD_CTX_new()) {
    const EVP_MD* md = algorithm == HashAlgorithm::md5 ? EVP_md5() : EVP_sha256();
    if (!ctx_ || EVP_DigestInit_ex(ctx_.get(), md, nullptr) != 1) throw Error("digest init failed");
  }
  void update(const void* data, size_t n) {
    if (EVP_DigestUpdate(ctx_.get(), data, n) != 1) throw Error("digest update failed");
  }
  std::string hex() {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (EVP_DigestFinal_ex(ctx_.get(), out, &n) != 1) throw Error("digest final failed");
    std::string s;
    for (unsigned int i = 0; i < n; ++i) s += fmt::format("{:02x}", out[i]);
    return s;
  }

 private:
  std::unique_ptr<EVP_MD_CTX, CtxFree> ctx_;
};

}  // namespace

FileDigest hash_file(const std::filesystem::path& path, HashAlgorithm algorithm) {
  std::unique_ptr<std::FILE, FileClose> f(std::fopen(path.c_str(), "rb"));
  if (!f) throw Error(fmt::format("{}: cannot open: {}", path.string(), std::strerror(errno)));
  Hasher hasher(algorithm);
  std::vector<char> block(1 << 20);
  FileDigest d;
  size_t n = 0;
  while ((n = std::fread(block.data(), 1, block.size(), f.get())) > 0) {
    hasher.update(block.data(), n);
    d.size += n;
  }
  if (std::ferror(f.get()) != 0) {
    throw Error(fmt::format("{}: read failed: {}", path.string(), std::strerror(errno)));
  }
  d.hex = hasher.hex();
  return d;
}

std::string md5_hex(std::string_view bytes) {
  Hasher hasher(HashAlgorithm::md5);
  hasher.update(bytes.data(), bytes.size());
  return hasher.hex();
}

}  // namespace cola::track

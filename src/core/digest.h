#pragma once
// Content hashes, from OpenSSL's libcrypto: the one place cola calls it for digests. sha256 names
// downloads, checkpoints and exported models (manifests); md5 names DVC's cache objects; sha1 is
// git's blob id, the etag of a Hub file stored in git. Files are read in 1 MiB blocks, so a 400 MB
// checkpoint never sits in memory.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

namespace cola::core {

enum class DigestAlgorithm { md5, sha1, sha256 };

/// A digest computed as the bytes arrive.
class Digest {
 public:
  explicit Digest(DigestAlgorithm algorithm);
  ~Digest();
  Digest(Digest&& other) noexcept;
  Digest& operator=(Digest&& other) noexcept;
  Digest(const Digest&) = delete;
  Digest& operator=(const Digest&) = delete;

  /// Adds bytes.
  void update(std::string_view bytes);
  /// The digest as lowercase hex. Call once, at the end.
  std::string hex();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

struct FileDigest {
  std::string hex;    // lowercase hex digest
  uint64_t size = 0;  // bytes hashed
};

/// Hashes a file's content; throws Error naming the file when it cannot be read.
FileDigest digest_file(const std::filesystem::path& path, DigestAlgorithm algorithm);

/// The digest of bytes in memory, as lowercase hex.
std::string digest_hex(std::string_view bytes, DigestAlgorithm algorithm);

}  // namespace cola::core

namespace cola {

/// The SHA-256 digest of `bytes` as 64 lowercase hex digits.
std::string sha256_hex(std::string_view bytes);

/// The SHA-256 of a file's content. Throws Error naming the file when it cannot be read.
std::string sha256_file(const std::filesystem::path& path);

}  // namespace cola

#pragma once
// Streaming content hashes of files (OpenSSL libcrypto's EVP): sha256 for manifests, md5 for DVC,
// which names its cache objects by md5. Files are read in 1 MiB blocks, so a 400 MB checkpoint
// never sits in memory.
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace cola::track {

enum class HashAlgorithm { md5, sha256 };

struct FileDigest {
  std::string hex;    // lowercase hex digest
  uint64_t size = 0;  // bytes hashed
};

/// Hashes a file; throws Error naming it when it cannot be read.
FileDigest hash_file(const std::filesystem::path& path, HashAlgorithm algorithm);

/// The MD5 of bytes in memory, as 32 lowercase hex digits.
std::string md5_hex(std::string_view bytes);

}  // namespace cola::track

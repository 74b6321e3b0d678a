#pragma once
// SHA-256 over bytes in memory, from OpenSSL's libcrypto: content hashes of downloads, checkpoints
// and exported models.
#include <filesystem>
#include <string>
#include <string_view>

namespace cola {

/// The SHA-256 digest of `bytes` as 64 lowercase hex digits.
std::string sha256_hex(std::string_view bytes);

/// The SHA-256 of a file's content, read in chunks (a model file is never held in memory whole).
/// Throws Error naming the file when it cannot be read.
std::string sha256_file(const std::filesystem::path& path);

}  // namespace cola

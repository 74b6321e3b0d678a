#pragma once
// SHA-256 over bytes in memory, from OpenSSL's libcrypto: content hashes of downloads, checkpoints
// and exported models.
#include <string>
#include <string_view>

namespace cola {

/// The SHA-256 digest of `bytes` as 64 lowercase hex digits.
std::string sha256_hex(std::string_view bytes);

}  // namespace cola

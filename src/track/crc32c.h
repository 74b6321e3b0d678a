#pragma once
// CRC-32C (Castagnoli) and the "masked" form TFRecord stores, so that a CRC computed over data that
// itself holds CRCs does not degenerate (leveldb/TensorFlow crc32c.h).
#include <cstdint>
#include <string_view>

namespace cola::track {

/// CRC-32C of `bytes` (reflected polynomial 0x82F63B78); crc32c("123456789") == 0xE3069283.
uint32_t crc32c(std::string_view bytes);

/// TFRecord's masking: rotate right by 15 bits, then add 0xa282ead8.
constexpr uint32_t mask_crc(uint32_t crc) { return ((crc >> 15) | (crc << 17)) + 0xa282ead8U; }

}  // namespace cola::track

#pragma once
// IEEE 754 binary16 (F16) and bfloat16 (BF16) to float, bit-exact, for loading half-precision
// checkpoints on CPUs without native half support. Every 16-bit value maps to exactly one float
// (both formats are subsets of binary32), so there is no rounding here.
#include <bit>
#include <cstdint>

namespace cola::spec {

/// binary16: 1 sign bit, 5 exponent bits (bias 15), 10 mantissa bits.
inline float f16_to_f32(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  const uint32_t exponent = (h >> 10) & 0x1fu;
  uint32_t mantissa = h & 0x3ffu;
  uint32_t bits = 0;
  if (exponent == 0x1f) {
    bits = sign | 0x7f800000u | (mantissa << 13);  // inf or NaN (payload kept)
  } else if (exponent != 0) {
    bits = sign | ((exponent + 127 - 15) << 23) | (mantissa << 13);  // normal: rebias 15 -> 127
  } else if (mantissa == 0) {
    bits = sign;  // +-0
  } else {
    // Subnormal half: value = mantissa * 2^-24. Normalise it, as every such value is a normal
    // float: shift until the implicit leading 1 reaches bit 10.
    int32_t e = 127 - 15 + 1;
    while ((mantissa & 0x400u) == 0) {
      mantissa <<= 1;
      --e;
    }
    bits = sign | (static_cast<uint32_t>(e) << 23) | ((mantissa & 0x3ffu) << 13);
  }
  return std::bit_cast<float>(bits);
}

/// bfloat16 is the top half of a binary32.
inline float bf16_to_f32(uint16_t b) {
  return std::bit_cast<float>(static_cast<uint32_t>(b) << 16);
}

}  // namespace cola::spec

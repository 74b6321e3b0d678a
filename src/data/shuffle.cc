#include "data/shuffle.h"

namespace cola::data {

std::mt19937_64 epoch_rng(uint64_t seed, int64_t epoch) {
  // SplitMix64 (Steele, Lea & Flood 2014) as a mixer: one step per input.
  auto mix = [](uint64_t z) {
    z += 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  };
  return std::mt19937_64(mix(mix(seed) ^ static_cast<uint64_t>(epoch)));
}

uint64_t uniform_below(std::mt19937_64& rng, uint64_t n) {
  // Reject the lowest (2^64 mod n) values so that every residue is equally likely.
  const uint64_t threshold = (0 - n) % n;
  for (;;) {
    const uint64_t r = rng();
    if (r >= threshold) return r % n;
  }
}

}  // namespace cola::data

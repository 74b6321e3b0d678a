#pragma once
// Seeded shuffling that gives the same order on every platform and standard library.
// std::mt19937_64's output is fixed by the standard, but std::shuffle and
// std::uniform_int_distribution are not, so both are written out here.
#include <cstdint>
#include <random>
#include <span>
#include <utility>

namespace cola::data {

/// The generator for one epoch: mt19937_64 seeded with SplitMix64 of (seed, epoch), so that
/// neighbouring seeds and epochs give unrelated streams.
std::mt19937_64 epoch_rng(uint64_t seed, int64_t epoch);

/// A uniform integer in [0, n), n > 0, without modulo bias (rejection sampling).
uint64_t uniform_below(std::mt19937_64& rng, uint64_t n);

/// Fisher–Yates shuffle (Durstenfeld's in-place form, Knuth TAOCP vol. 2, Algorithm P).
template <class T>
void shuffle(std::span<T> items, std::mt19937_64& rng) {
  for (size_t i = items.size(); i > 1; --i) {
    const auto j = static_cast<size_t>(uniform_below(rng, i));
    std::swap(items[i - 1], items[j]);
  }
}

}  // namespace cola::data

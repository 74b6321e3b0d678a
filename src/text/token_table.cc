#include "text/token_table.h"

#include <cstring>

namespace cola::text {
namespace {

uint64_t mix(uint64_t x) {
  // The 64-bit finalizer of MurmurHash3: cheap, and every input bit reaches every output bit.
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

}  // namespace

uint32_t hash_bytes(std::string_view bytes) {
  // Tokens are short (BERT's longest is 18 bytes), so eight-byte chunks take one to three rounds.
  uint64_t h = 0x9E3779B97F4A7C15ULL ^ bytes.size();
  size_t i = 0;
  for (; i + 8 <= bytes.size(); i += 8) {
    uint64_t chunk = 0;
    std::memcpy(&chunk, bytes.data() + i, 8);
    h = mix(h ^ chunk);
  }
  if (i < bytes.size()) {
    uint64_t chunk = 0;
    std::memcpy(&chunk, bytes.data() + i, bytes.size() - i);
    h = mix(h ^ chunk);
  }
  return static_cast<uint32_t>(h ^ (h >> 32));
}

void TokenTable::insert(std::string_view arena, uint32_t offset, uint32_t length, int32_t id) {
  // Load factor at most 1/2 keeps probe chains short for misses, which WordPiece does a lot.
  if ((count_ + 1) * 2 > slots_.size()) grow(arena);
  const uint32_t hash = hash_bytes(arena.substr(offset, length));
  const size_t mask = slots_.size() - 1;
  size_t i = hash & mask;
  while (slots_[i].id >= 0) i = (i + 1) & mask;
  slots_[i] = {offset, length, id, hash};
  ++count_;
  if (length > max_length_) max_length_ = length;
}

int32_t TokenTable::find(std::string_view arena, std::string_view key) const {
  if (slots_.empty()) return -1;
  const uint32_t hash = hash_bytes(key);
  const size_t mask = slots_.size() - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    const Entry& e = slots_[i];
    if (e.id < 0) return -1;
    if (e.hash == hash && e.length == key.size() &&
        std::memcmp(arena.data() + e.offset, key.data(), key.size()) == 0) {
      return e.id;
    }
  }
}

void TokenTable::grow(std::string_view arena) {
  std::vector<Entry> old = std::move(slots_);
  slots_.assign(old.empty() ? 64 : old.size() * 2, Entry{});
  count_ = 0;
  for (const Entry& e : old) {
    if (e.id >= 0) insert(arena, e.offset, e.length, e.id);
  }
}

}  // namespace cola::text

#pragma once
// A read-only open-addressing hash map from token text to id, built once from a vocabulary. It
// looks up string_views without allocating, which is what keeps WordPiece off the heap; keys are
// byte ranges of one arena string owned by the caller, so the table itself copies and moves freely.
#include <cstdint>
#include <string_view>
#include <vector>

namespace cola::text {

class TokenTable {
 public:
  /// A key: bytes [offset, offset + length) of the arena, mapping to `id`.
  struct Entry {
    uint32_t offset = 0;
    uint32_t length = 0;
    int32_t id = -1;  // -1 marks an empty slot
    uint32_t hash = 0;
  };

  /// Adds a key; keys must be unique (the vocabulary checks that before).
  void insert(std::string_view arena, uint32_t offset, uint32_t length, int32_t id);
  /// The id of `key`, or -1 if absent.
  int32_t find(std::string_view arena, std::string_view key) const;
  /// The longest key in bytes (bounds WordPiece's longest-match search).
  uint32_t max_key_length() const { return max_length_; }
  /// Number of keys.
  size_t size() const { return count_; }

 private:
  void grow(std::string_view arena);

  std::vector<Entry> slots_;
  size_t count_ = 0;
  uint32_t max_length_ = 0;
};

/// A fast 32-bit hash of a short byte string.
uint32_t hash_bytes(std::string_view bytes);

}  // namespace cola::text

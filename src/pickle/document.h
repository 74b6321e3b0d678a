#pragma once
// The arena that owns every Value of one unpickled pickle. Values live in chunks that never move,
// so a Value* stays valid for the Document's lifetime (moving the Document keeps them too), and
// destroying it is a flat loop: no recursion through children, no shared_ptr cycles to leak.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.h"
#include "pickle/value.h"

namespace cola::pickle {

/// Bounds on what one load may build; a hostile pickle hits one of them and fails cleanly.
struct Limits {
  size_t max_stack = 65'536;      // values + marks on the stack at once
  size_t max_depth = 1'000;       // container nesting, tracked as children are inserted
  size_t max_values = 4'000'000;  // values made by one load (memory bound: ~200 bytes each)
  size_t max_memo = 4'000'000;    // memo entries
  // Bytes that calls copy out of existing values (bytearray(b), set(list), OrderedDict(d) ...):
  // without a bound, a pickle that repeats one call over one big value is a memory bomb.
  size_t max_copy_bytes = size_t{256} << 20;
};

/// Thrown by Document when building breaks a limit or a Python rule (an unhashable dict key).
/// Its message has no position: load() adds "<source>: byte N (OPCODE): ".
class DocumentError : public Error {
 public:
  using Error::Error;
};

namespace detail {
class Machine;
}

class Document {
 public:
  /// An empty document bounded by limits.max_values and limits.max_depth.
  explicit Document(const Limits& limits = {});
  ~Document();
  Document(Document&& other) noexcept;
  Document& operator=(Document&& other) noexcept;
  Document(const Document&) = delete;
  Document& operator=(const Document&) = delete;

  /// A new value of `kind` with every field at its default. Throws DocumentError past max_values.
  Value* make(Kind kind);
  /// None.
  Value* make_none() { return make(Kind::kNone); }
  /// A bool.
  Value* make_bool(bool b);
  /// An int.
  Value* make_int(int64_t i);
  /// An int from little-endian two's complement bytes of any length (kInt when it fits int64).
  Value* make_long(std::string_view little_endian);
  /// A float.
  Value* make_float(double d);
  /// A str; `utf8` must be valid UTF-8 (the caller checked it).
  Value* make_string(std::string_view utf8);
  /// A bytes (or bytearray).
  Value* make_bytes(std::string_view bytes);
  /// A tuple of `items`, its depth and hashability computed from them.
  Value* make_tuple(std::vector<Value*> items);
  /// A list of `items`.
  Value* make_list(std::vector<Value*> items);
  /// An empty dict; `module`/`name` name a dict subclass ("collections", "OrderedDict") or are "".
  Value* make_dict(std::string_view module = {}, std::string_view name = {});
  /// A placeholder for the global module.name; `written` is the name as the file spelled it if
  /// fix_imports changed it, else "".
  Value* make_global(std::string_view module, std::string_view name, std::string_view written = {});
  /// An inert object of class `cls` (a kGlobal): its module, name and written name.
  Value* make_object(const Value& cls);
  /// A value a policy built outside Python's data model.
  Value* make_external(std::shared_ptr<const External> external);

  /// Appends `item` to container.items (list, set, frozenset, tuple being built, object). Throws
  /// DocumentError when the nesting passes max_depth, or for an unhashable item of a set.
  void append(Value& container, Value* item);
  /// Appends the entry key: value to container.entries (dict or object). Throws DocumentError for
  /// a key Python could not hash (a list, dict or set) and past max_depth.
  void insert(Value& container, Value* key, Value* value);
  /// Counts `bytes` that a policy call copies from existing values (as the base policy's
  /// set(list) or bytearray(b) do). Throws DocumentError past max_copy_bytes in all.
  void charge_copy(size_t bytes);
  /// Records that `parent` now refers to `child` (through args, kwargs or state) for the depth
  /// limit. Throws DocumentError past max_depth.
  void adopt(Value& parent, const Value& child);

  /// The unpickled object (what STOP popped); nullptr until load() finishes.
  const Value* root() const { return root_; }
  /// The offset in the input just past this pickle's STOP (where a following pickle starts).
  size_t end() const { return end_; }
  /// How many values were made.
  size_t size() const { return size_; }
  /// The limits this document enforces.
  const Limits& limits() const { return limits_; }

 private:
  friend class detail::Machine;
  struct Chunk {
    Value* values;  // raw storage for `capacity` values; the first `used` are constructed
    size_t capacity;
  };
  void grow();  // a new chunk, or DocumentError past max_values
  void release() noexcept;
  void check_depth(Value& parent, const Value& child);
  [[noreturn]] void fail_depth() const;

  Limits limits_;
  std::vector<Chunk> chunks_;
  Value* current_ = nullptr;  // chunks_.back().values
  size_t used_ = 0;           // values constructed in the current chunk
  size_t capacity_ = 0;       // of the current chunk
  size_t size_ = 0;           // values made in all
  size_t copied_ = 0;         // bytes charged by charge_copy()
  Value* root_ = nullptr;
  size_t end_ = 0;
};

// Inline: one call per value of every load. Values are constructed only as they are made, so a
// chunk's unused tail costs neither construction nor destruction.
inline Value* Document::make(Kind kind) {
  if (used_ == capacity_ || size_ >= limits_.max_values) grow();
  Value* v = ::new (static_cast<void*>(current_ + used_)) Value;
  ++used_;
  ++size_;
  v->kind = kind;
  return v;
}

// Depth is tracked bottom-up as each child is inserted: it bounds what a pickle builds from the
// leaves up (every Python pickler's order), which is what the memo + POP tricks of a hostile
// pickle do to nest deep with a short stack. A container filled after it was itself nested is
// not re-propagated (there are no parent links), so readers still walk with their own bound.
// A container holding itself adds no depth (else [l] * 1000 appended to l would count 1,000).
inline void Document::check_depth(Value& parent, const Value& child) {
  if (&parent == &child) return;
  const size_t depth = size_t{child.depth} + 1;
  if (depth > limits_.max_depth) fail_depth();
  if (depth > parent.depth) parent.depth = static_cast<uint32_t>(depth);
}

}  // namespace cola::pickle

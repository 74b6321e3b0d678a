#pragma once
// What a pickle unpickles to, as inert data: Python's data model (None, bool, int, float, str,
// bytes, list, tuple, dict, set, frozenset) plus placeholders for the things a pickle names but
// that we never import or run (globals, objects of unknown classes) and for what a policy builds
// (a torch tensor). Values are owned by a Document (document.h): children are plain pointers into
// it, so cycles and deep nesting cost nothing to destroy.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cola::pickle {

enum class Kind : uint8_t {
  kNone,
  kBool,
  kInt,
  kBigInt,
  kFloat,
  kString,
  kBytes,
  kList,
  kTuple,
  kDict,
  kSet,
  kFrozenSet,
  kGlobal,
  kObject,
  kExternal
};

/// What a policy builds for values outside Python's data model (a torch storage or tensor).
struct External {
  virtual ~External() = default;
  /// A short rendering for describe() and messages, e.g. "tensor(float32, [2, 64])".
  virtual std::string describe() const { return "<external>"; }
};

struct Value {
  Kind kind = Kind::kNone;
  bool boolean = false;     // kBool
  bool unhashable = false;  // kTuple: holds a list, dict or set somewhere (Python cannot hash it)
  uint32_t depth = 0;       // containers: levels of containers below, as tracked at insertion
  int64_t integer = 0;      // kInt
  double real = 0;          // kFloat
  // kString: UTF-8. kBytes: raw bytes (also bytearray). kBigInt: minimal little-endian two's
  // complement, as LONG1/LONG4 store it (only ints that do not fit int64 are kBigInt). kGlobal:
  // "module.name" as the file wrote it when Python 3's fix_imports renamed it, else empty.
  std::string text;
  // kList, kTuple, kSet, kFrozenSet; kObject: what APPEND(S)/ADDITEMS added (list subclasses).
  std::vector<Value*> items;
  // kDict, in insertion order; a key set twice appears twice (Python keeps the last, as get()
  // does). Keys may be any hashable value, e.g. a kGlobal. kObject: what SETITEM(S) added.
  std::vector<std::pair<Value*, Value*>> entries;
  // kGlobal: "collections", "OrderedDict" (after fix_imports). kObject: its class. kDict: the dict
  // subclass a policy call made it as ("collections", "OrderedDict"), empty for a plain dict.
  std::string module, name;
  // kObject: the NEWOBJ/NEWOBJ_EX args tuple (or the args of the call that made it); a
  // defaultdict's kDict: (default_factory,).
  Value* args = nullptr;
  Value* kwargs = nullptr;  // kObject: the NEWOBJ_EX kwargs dict
  Value* state = nullptr;   // kObject, kDict: the BUILD state (a dict's attributes, its __dict__)
  std::shared_ptr<const External> external;  // kExternal

  /// True for kNone.
  bool is_none() const { return kind == Kind::kNone; }
  /// True for kBool.
  bool is_bool() const { return kind == Kind::kBool; }
  /// True for kInt or kBigInt.
  bool is_int() const { return kind == Kind::kInt || kind == Kind::kBigInt; }
  /// True for kFloat.
  bool is_float() const { return kind == Kind::kFloat; }
  /// True for kString.
  bool is_string() const { return kind == Kind::kString; }
  /// True for kBytes.
  bool is_bytes() const { return kind == Kind::kBytes; }
  /// True for kList.
  bool is_list() const { return kind == Kind::kList; }
  /// True for kTuple.
  bool is_tuple() const { return kind == Kind::kTuple; }
  /// True for kDict.
  bool is_dict() const { return kind == Kind::kDict; }
  /// True for kGlobal.
  bool is_global() const { return kind == Kind::kGlobal; }
  /// True for kObject.
  bool is_object() const { return kind == Kind::kObject; }
  /// True for kExternal.
  bool is_external() const { return kind == Kind::kExternal; }

  /// The value of a kBool.
  std::optional<bool> as_bool() const;
  /// The value of a kInt (not of a bool, nor of a kBigInt, which never fits).
  std::optional<int64_t> as_int() const;
  /// The value of a kFloat, or of a kInt converted.
  std::optional<double> as_float() const;
  /// The text of a kString; "" for any other kind (check is_string()).
  std::string_view as_string_view() const;
  /// The bytes of a kBytes; "" for any other kind (check is_bytes()).
  std::string_view as_bytes_view() const;
  /// True for an int (kInt or kBigInt) equal to the non-negative hexadecimal literal `hex`, e.g.
  /// "0x1950a86a20f9469cfc6c" (the legacy torch.save magic number); false for anything else.
  bool int_equals_hex(std::string_view hex) const;

  /// The value under string key `key` (the last one if set twice; a linear scan), or nullptr
  /// (also nullptr when this is not a dict).
  const Value* get(std::string_view key) const;
  /// "module.name" for kGlobal/kObject (and a kDict made as a dict subclass), "" otherwise.
  std::string qualified_name() const;
  /// kGlobal/kObject: "module.name" as the file wrote it (before fix_imports); else as
  /// qualified_name().
  std::string written_name() const;
  /// Whether Python could hash this (lists, dicts, sets and tuples holding one cannot).
  bool hashable() const {
    return kind != Kind::kList && kind != Kind::kDict && kind != Kind::kSet && !unhashable;
  }
};

/// A short, bounded, cycle-safe rendering for messages and listings:
/// {'lr': 3e-05, 'model_name': 'x'}, OrderedDict({...}), <ModelCheckpoint object>, externals via
/// External::describe(). At most `max_chars` bytes ("..." ends a cut), and nested containers
/// past a few levels show as [...] / {...}.
std::string describe(const Value& v, size_t max_chars = 200);

/// Kind name for messages: "str", "int", "dict", "tuple", "global", "object" ...
std::string_view kind_name(Kind k);

}  // namespace cola::pickle

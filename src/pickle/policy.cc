// The base Policy: the data-only allowlist that a torch reader extends. A call is allowed only
// when it is a constructor of plain data that Python's own picklers emit (OrderedDict, set,
// bytes by way of _codecs.encode ...); its result is built here as inert values.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <span>

#include "pickle/text.h"
#include "pickle/unpickler.h"

namespace cola::pickle {
namespace {

using Args = std::span<Value* const>;

// What a copied item or dict entry costs, for Document::charge_copy().
constexpr size_t kItemBytes = sizeof(void*);  // a Value*
constexpr size_t kEntryBytes = sizeof(decltype(Value::entries)::value_type);
using Handler = Value* (*)(Document& doc, const Value& callable, Args args, const Where& where);

std::string_view article(Kind kind) {
  const std::string_view name = kind_name(kind);
  return std::string_view("aeiou").find(name.front()) != std::string_view::npos ? "an" : "a";
}

[[noreturn]] void bad_args(const Value& callable, std::string_view expected, Args args,
                           const Where& where) {
  std::string got = "(";
  for (size_t i = 0; i < args.size() && got.size() < 80; ++i) {
    got += (i > 0 ? ", " : "") + describe(*args[i], 40);
  }
  got += args.size() == 1 ? ",)" : ")";
  throw Error(
      fmt::format("{}: {} takes {}, got {}", where.text(), callable.written_name(), expected, got));
}

// The members of an iterable argument: a list, tuple, set or frozenset, or a dict's keys.
bool iterate(const Value& v, std::vector<Value*>& out) {
  switch (v.kind) {
    case Kind::kList:
    case Kind::kTuple:
    case Kind::kSet:
    case Kind::kFrozenSet:
      out = v.items;
      return true;
    case Kind::kDict:
      out.clear();
      for (const auto& [key, value] : v.entries) out.push_back(key);
      return true;
    default:
      return false;
  }
}

// collections.OrderedDict() / OrderedDict(pairs or mapping): how protocol 2 pickles one (REDUCE
// with no args, then SETITEMS) and how a torch state_dict arrives.
Value* ordered_dict(Document& doc, const Value& callable, Args args, const Where& where) {
  Value* dict = doc.make_dict(callable.module, callable.name);
  if (args.empty()) return dict;
  const Value& source = *args[0];
  if (args.size() == 1 && source.is_dict()) {
    doc.charge_copy(source.entries.size() * kEntryBytes);
    for (const auto& [key, value] : source.entries) doc.insert(*dict, key, value);
    return dict;
  }
  std::vector<Value*> pairs;
  if (args.size() != 1 || !iterate(source, pairs)) {
    bad_args(callable, "no arguments, a mapping or key, value pairs", args, where);
  }
  doc.charge_copy(pairs.size() * kEntryBytes);
  for (Value* pair : pairs) {
    if ((!pair->is_tuple() && !pair->is_list()) || pair->items.size() != 2) {
      bad_args(callable, "no arguments, a mapping or key, value pairs", args, where);
    }
    doc.insert(*dict, pair->items[0], pair->items[1]);
  }
  return dict;
}

// collections.defaultdict(factory): a dict whose args keep the factory (a global, or None).
Value* default_dict(Document& doc, const Value& callable, Args args, const Where& where) {
  if (args.size() > 1) bad_args(callable, "at most a default factory", args, where);
  Value* dict = doc.make_dict(callable.module, callable.name);
  dict->args = doc.make_tuple(std::vector<Value*>(args.begin(), args.end()));
  doc.adopt(*dict, *dict->args);
  return dict;
}

// builtins.set(iterable) / frozenset(iterable): protocol 2 has no set opcodes.
Value* set(Document& doc, const Value& callable, Args args, const Where& where) {
  Value* out = doc.make(callable.name == "set" ? Kind::kSet : Kind::kFrozenSet);
  std::vector<Value*> members;
  if (args.size() > 1 || (args.size() == 1 && !iterate(*args[0], members))) {
    bad_args(callable, "at most one list, tuple, set or dict", args, where);
  }
  doc.charge_copy(members.size() * kItemBytes);
  for (Value* member : members) doc.append(*out, member);
  return out;
}

// Python's codec name normalisation (lower case, '-' and ' ' as '_'), for the names pickles use.
std::string codec_key(std::string_view name) {
  std::string key(name);
  for (char& c : key) {
    c = c == '-' || c == ' ' ? '_' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return key;
}

// str.encode(encoding) for the codecs pickles use: Latin-1 (how protocols 0-2 carry bytes) and
// UTF-8. nullopt for any other codec.
std::optional<std::string> encode(const Value& text, std::string_view encoding,
                                  const Value& callable, const Where& where) {
  const std::string key = codec_key(encoding);
  if (key == "utf_8" || key == "utf8") return text.text;
  if (key != "latin_1" && key != "latin1" && key != "iso8859_1" && key != "iso_8859_1" &&
      key != "l1" && key != "latin") {
    return std::nullopt;
  }
  std::string bytes;
  bytes.reserve(text.text.size());
  const auto& s = text.text;  // valid UTF-8: each character has its length in its lead byte
  for (size_t i = 0; i < s.size();) {
    const auto lead = static_cast<unsigned char>(s[i]);
    if (lead < 0x80) {
      bytes += static_cast<char>(lead);
      ++i;
    } else if (lead < 0xC4 && i + 1 < s.size()) {  // U+0080..U+00FF are C2/C3 + one byte
      bytes +=
          static_cast<char>(((lead & 0x1F) << 6) | (static_cast<unsigned char>(s[i + 1]) & 0x3F));
      i += 2;
    } else {
      throw Error(
          fmt::format("{}: {}: the str holds a character past U+00FF, which {} cannot encode",
                      where.text(), callable.written_name(), encoding));
    }
  }
  return bytes;
}

// _codecs.encode(str, 'latin1'): how protocol 2 pickles a bytes object.
Value* codecs_encode(Document& doc, const Value& callable, Args args, const Where& where) {
  if (args.empty() || args.size() > 3 || !args[0]->is_string() ||
      (args.size() >= 2 && !args[1]->is_string())) {
    bad_args(callable, "a str and an encoding", args, where);
  }
  const std::string_view encoding = args.size() >= 2 ? args[1]->as_string_view() : "utf-8";
  auto bytes = encode(*args[0], encoding, callable, where);
  if (!bytes) bad_args(callable, "a str and the encoding latin1 or utf-8", args, where);
  doc.charge_copy(bytes->size());
  return doc.make_bytes(*bytes);
}

// builtins.bytearray(bytes), (str, encoding) or (list of ints).
Value* bytearray(Document& doc, const Value& callable, Args args, const Where& where) {
  constexpr std::string_view kExpected = "nothing, bytes, a str and an encoding, or a list of ints";
  if (args.empty()) return doc.make_bytes("");
  if (args.size() == 1 && args[0]->is_bytes()) {
    doc.charge_copy(args[0]->text.size());
    return doc.make_bytes(args[0]->text);
  }
  if (args.size() >= 2 && args[0]->is_string() && args[1]->is_string()) {
    auto bytes = encode(*args[0], args[1]->text, callable, where);
    if (!bytes) bad_args(callable, kExpected, args, where);
    doc.charge_copy(bytes->size());
    return doc.make_bytes(*bytes);
  }
  std::vector<Value*> ints;
  if (args.size() != 1 || (!args[0]->is_list() && !args[0]->is_tuple()) ||
      !iterate(*args[0], ints)) {
    bad_args(callable, kExpected, args, where);
  }
  doc.charge_copy(ints.size());
  std::string bytes;
  for (const Value* i : ints) {
    if (!i->as_int() || *i->as_int() < 0 || *i->as_int() > 255)
      bad_args(callable, kExpected, args, where);
    bytes += static_cast<char>(*i->as_int());
  }
  return doc.make_bytes(bytes);
}

// builtins.slice/complex/range of numbers: no kind of their own, so an inert object of that class
// whose args are the numbers.
Value* numbers_object(Document& doc, const Value& callable, Args args, const Where& where) {
  const bool numbers = std::all_of(args.begin(), args.end(), [](const Value* v) {
    return v->is_none() || v->is_bool() || v->is_int() || v->is_float();
  });
  if (!numbers || args.size() > 3) bad_args(callable, "up to three numbers", args, where);
  Value* object = doc.make_object(callable);
  object->args = doc.make_tuple(std::vector<Value*>(args.begin(), args.end()));
  doc.adopt(*object, *object->args);
  return object;
}

// copyreg._reconstructor(cls, base, state): how protocols 0-1 pickle an instance. Inert object of
// cls, keeping the args; a dict or list subclass also gets its base's contents.
Value* reconstructor(Document& doc, const Value& callable, Args args, const Where& where) {
  if (args.size() != 3 || !args[0]->is_global() || !args[1]->is_global()) {
    bad_args(callable, "a class, a base class and a state", args, where);
  }
  Value* object = doc.make_object(*args[0]);
  object->args = doc.make_tuple(std::vector<Value*>(args.begin(), args.end()));
  doc.adopt(*object, *object->args);
  const Value& base = *args[1];
  const Value& state = *args[2];
  if (base.qualified_name() == "builtins.dict" && state.is_dict()) {
    doc.charge_copy(state.entries.size() * kEntryBytes);
    for (const auto& [key, value] : state.entries) doc.insert(*object, key, value);
  } else if (base.qualified_name() == "builtins.list" && state.is_list()) {
    doc.charge_copy(state.items.size() * kItemBytes);
    for (Value* item : state.items) doc.append(*object, item);
  }
  return object;
}

struct Allowed {
  std::string_view module, name;
  Handler make;
};

// Names after fix_imports (__builtin__.set arrives as builtins.set).
constexpr Allowed kAllowed[] = {
    {"collections", "OrderedDict", ordered_dict},
    {"collections", "defaultdict", default_dict},
    {"builtins", "set", set},
    {"builtins", "frozenset", set},
    {"builtins", "bytearray", bytearray},
    {"builtins", "slice", numbers_object},
    {"builtins", "complex", numbers_object},
    {"builtins", "range", numbers_object},
    {"_codecs", "encode", codecs_encode},
    {"copyreg", "_reconstructor", reconstructor},
};

}  // namespace

Value* Policy::call(Document& doc, const Value& callable, const Value& args, const Where& where) {
  if (!callable.is_global()) {
    throw Error(fmt::format(
        "{}: refusing to call {} {} ({}): only a named global can be called, and only to build "
        "data; nothing was run",
        where.text(), article(callable.kind), kind_name(callable.kind), describe(callable, 60)));
  }
  const auto it = std::find_if(std::begin(kAllowed), std::end(kAllowed), [&](const Allowed& a) {
    return a.module == callable.module && a.name == callable.name;
  });
  if (it == std::end(kAllowed)) {
    throw Error(fmt::format(
        "{}: refusing to call {}: unpickling would run it (only data and tensors are loaded); "
        "nothing was run",
        where.text(), callable.written_name()));
  }
  if (!args.is_tuple() && !args.is_list()) {
    throw Error(fmt::format("{}: {} needs a tuple of arguments, got {} {} ({})", where.text(),
                            callable.written_name(), article(args.kind), kind_name(args.kind),
                            describe(args, 60)));
  }
  return it->make(doc, callable, args.items, where);
}

Value* Policy::persistent_load(Document& /*doc*/, const Value& pid, const Where& where) {
  throw Error(fmt::format(
      "{}: persistent id {} refers to data outside the pickle, and no loader for it was given "
      "(a torch reader handles these)",
      where.text(), describe(pid, 80)));
}

void Policy::build(Document& doc, Value& inst, Value& state, const Where& where) {
  if (!inst.is_object() && !inst.is_dict()) {
    throw Error(fmt::format(
        "{}: BUILD cannot give {} {} ({}) the state {} ({}): only objects and dicts take one",
        where.text(), article(inst.kind), kind_name(inst.kind), describe(inst, 60),
        kind_name(state.kind), describe(state, 60)));
  }
  // Python's pickler writes one BUILD per object. A second would mean merging states, which a
  // hostile pickle could repeat over one big dict to grow without bound: refused instead.
  if (inst.state != nullptr) {
    throw Error(fmt::format("{}: a second BUILD of {} {} ({}): corrupt or hostile pickle",
                            where.text(), article(inst.kind), kind_name(inst.kind),
                            describe(inst, 60)));
  }
  inst.state = &state;
  doc.adopt(inst, *inst.state);
}

}  // namespace cola::pickle

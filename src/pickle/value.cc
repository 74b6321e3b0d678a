#include "pickle/value.h"

#include "pickle/text.h"

namespace cola::pickle {

std::optional<bool> Value::as_bool() const {
  if (kind != Kind::kBool) return std::nullopt;
  return boolean;
}

std::optional<int64_t> Value::as_int() const {
  if (kind != Kind::kInt) return std::nullopt;
  return integer;
}

std::optional<double> Value::as_float() const {
  if (kind == Kind::kFloat) return real;
  if (kind == Kind::kInt) return static_cast<double>(integer);
  return std::nullopt;
}

std::string_view Value::as_string_view() const {
  return kind == Kind::kString ? std::string_view(text) : std::string_view();
}

std::string_view Value::as_bytes_view() const {
  return kind == Kind::kBytes ? std::string_view(text) : std::string_view();
}

bool Value::int_equals_hex(std::string_view hex) const {
  const auto expected = detail::hex_to_long(hex);
  if (!expected) return false;
  if (kind == Kind::kBigInt) return text == *expected;  // both minimal, so bytes compare
  if (kind != Kind::kInt) return false;
  const auto small = detail::long_to_int64(*expected);
  return small && *small == integer;
}

const Value* Value::get(std::string_view key) const {
  if (kind != Kind::kDict) return nullptr;
  for (auto it = entries.rbegin(); it != entries.rend(); ++it) {
    if (it->first->kind == Kind::kString && it->first->text == key) return it->second;
  }
  return nullptr;
}

std::string Value::qualified_name() const {
  if (kind != Kind::kGlobal && kind != Kind::kObject && kind != Kind::kDict) return "";
  if (module.empty() && name.empty()) return "";
  return module + "." + name;
}

std::string Value::written_name() const {
  if ((kind == Kind::kGlobal || kind == Kind::kObject) && !text.empty()) return text;
  return qualified_name();
}

std::string_view kind_name(Kind k) {
  switch (k) {
    case Kind::kNone:
      return "None";
    case Kind::kBool:
      return "bool";
    case Kind::kInt:
    case Kind::kBigInt:
      return "int";
    case Kind::kFloat:
      return "float";
    case Kind::kString:
      return "str";
    case Kind::kBytes:
      return "bytes";
    case Kind::kList:
      return "list";
    case Kind::kTuple:
      return "tuple";
    case Kind::kDict:
      return "dict";
    case Kind::kSet:
      return "set";
    case Kind::kFrozenSet:
      return "frozenset";
    case Kind::kGlobal:
      return "global";
    case Kind::kObject:
      return "object";
    case Kind::kExternal:
      return "external";
  }
  return "?";
}

}  // namespace cola::pickle

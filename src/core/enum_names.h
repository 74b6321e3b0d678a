#pragma once
// One table per enum of its values and their names, so that parsing a name, naming a value and
// listing the valid names in an error read the same table (DESIGN.md practice 4: a failed parse
// lists the valid values).
//   constexpr std::array<std::pair<Padding, std::string_view>, 2> kPaddingNames = {{...}};
//   enum_name(kPaddingNames, p); enum_value(kPaddingNames, "longest"); enum_names(kPaddingNames)
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cola {

template <class E, std::size_t N>
using EnumNames = std::array<std::pair<E, std::string_view>, N>;

/// The name of `value` in `table`; "?" for a value it lacks.
template <class E, std::size_t N>
std::string_view enum_name(const EnumNames<E, N>& table, E value) {
  for (const auto& [v, name] : table) {
    if (v == value) return name;
  }
  return "?";
}

/// The value called `name` in `table`, or nullopt.
template <class E, std::size_t N>
std::optional<E> enum_value(const EnumNames<E, N>& table, std::string_view name) {
  for (const auto& [v, n] : table) {
    if (n == name) return v;
  }
  return std::nullopt;
}

/// The names in table order, comma separated: "longest, multiple_of_8, max_length".
template <class E, std::size_t N>
std::string enum_names(const EnumNames<E, N>& table) {
  std::vector<std::string_view> names;
  for (const auto& entry : table) names.push_back(entry.second);
  return fmt::format("{}", fmt::join(names, ", "));
}

}  // namespace cola

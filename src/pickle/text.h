#pragma once
// Decoding the text inside pickle opcodes (internal): UTF-8 checks, Python's string escapes, and
// ints of any size as little-endian two's complement bytes (the LONG1/LONG4 form). Faults throw
// DocumentError, to which load() adds the position.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cola::pickle::detail {

/// Python 3.11's limit on the digits int() converts (sys.get_int_max_str_digits()); it also keeps
/// the quadratic decimal conversion of INT/LONG lines cheap.
inline constexpr size_t kMaxDecimalDigits = 4300;

/// True when `s` is well-formed UTF-8: no overlong forms, surrogates or code points past U+10FFFF.
bool is_utf8(std::string_view s);
/// Appends code point `cp` (at most U+10FFFF, not a surrogate) as UTF-8.
void append_utf8(std::string& out, uint32_t cp);

/// codecs.escape_decode, what the STRING opcode applies between its quotes: \n, \x41, \101, ...
std::string escape_decode(std::string_view s);
/// The raw-unicode-escape codec of the UNICODE opcode, as UTF-8: \uXXXX and \UXXXXXXXX escapes
/// (after an odd run of backslashes), every other byte a Latin-1 code point.
std::string raw_unicode_escape_decode(std::string_view s);

/// A decimal INT/LONG line (optional sign, digits, surrounding whitespace) as minimal
/// little-endian two's complement bytes.
std::string parse_decimal(std::string_view s);
/// Drops redundant sign-extension bytes from the top of a little-endian two's complement int.
void trim_long(std::string& little_endian);
/// The int64 value of minimal little-endian bytes, or nullopt when they need more than 8 bytes.
std::optional<int64_t> long_to_int64(std::string_view little_endian);
/// Decimal text of a little-endian two's complement int (for describe()).
std::string long_to_decimal(std::string_view little_endian);
/// The minimal little-endian bytes of a non-negative hexadecimal literal ("0x1950a8..." or
/// without the 0x), or nullopt when it is not one.
std::optional<std::string> hex_to_long(std::string_view hex);

}  // namespace cola::pickle::detail

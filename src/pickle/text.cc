#include "pickle/text.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "pickle/document.h"

namespace cola::pickle::detail {
namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool is_octal(char c) { return c >= '0' && c <= '7'; }

// Two's complement negation in place: invert every byte, add one.
void negate(std::string& little_endian) {
  unsigned carry = 1;
  for (char& byte : little_endian) {
    const unsigned v = static_cast<unsigned char>(~static_cast<unsigned char>(byte)) + carry;
    byte = static_cast<char>(v & 0xFF);
    carry = v >> 8;
  }
}

bool is_negative(std::string_view little_endian) {
  return !little_endian.empty() && (static_cast<unsigned char>(little_endian.back()) & 0x80) != 0;
}

std::string_view strip_space(std::string_view s) {
  constexpr std::string_view kSpace = " \t\n\r\f\v";
  const auto first = s.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(kSpace) - first + 1);
}

}  // namespace

bool is_utf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* const end = p + s.size();
  while (p < end) {
    uint64_t word = 0;
    if (end - p >= 8 && (std::memcpy(&word, p, 8), (word & 0x8080808080808080ULL) == 0)) {
      p += 8;  // eight ASCII bytes at once: the common case for tensor names and hyperparameters
      continue;
    }
    const unsigned lead = *p;
    if (lead < 0x80) {
      ++p;
      continue;
    }
    ptrdiff_t extra = 0;
    uint32_t cp = 0;
    uint32_t min = 0;  // the smallest code point of this length: anything less is overlong
    if ((lead & 0xE0) == 0xC0) {
      extra = 1, cp = lead & 0x1F, min = 0x80;
    } else if ((lead & 0xF0) == 0xE0) {
      extra = 2, cp = lead & 0x0F, min = 0x800;
    } else if ((lead & 0xF8) == 0xF0) {
      extra = 3, cp = lead & 0x07, min = 0x10000;
    } else {
      return false;
    }
    if (end - p <= extra) return false;
    for (ptrdiff_t i = 1; i <= extra; ++i) {
      if ((p[i] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (p[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    p += extra + 1;
  }
  return true;
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// CPython's _PyBytes_DecodeEscape: unknown escapes stay as written, a bad \x is an error.
std::string escape_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\') {
      out += s[i];
      continue;
    }
    if (++i == s.size()) throw DocumentError("string ends with a lone backslash");
    const char c = s[i];
    switch (c) {
      case '\n':
        break;  // a line continuation
      case '\\':
      case '\'':
      case '"':
        out += c;
        break;
      case 'a':
        out += '\a';
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'v':
        out += '\v';
        break;
      case 'x': {
        const int hi = i + 1 < s.size() ? hex_digit(s[i + 1]) : -1;
        const int lo = i + 2 < s.size() ? hex_digit(s[i + 2]) : -1;
        if (hi < 0 || lo < 0) {
          throw DocumentError(fmt::format("invalid \\x escape at position {}", i - 1));
        }
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        break;
      }
      default:
        if (is_octal(c)) {
          unsigned v = static_cast<unsigned>(c - '0');
          for (int n = 1; n < 3 && i + 1 < s.size() && is_octal(s[i + 1]); ++n) {
            v = v * 8 + static_cast<unsigned>(s[++i] - '0');
          }
          out += static_cast<char>(v & 0xFF);  // Python 3.11 keeps the low byte of \400-\777
        } else {
          out += '\\';
          out += c;
        }
    }
  }
  return out;
}

std::string raw_unicode_escape_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    if (s[i] != '\\') {
      append_utf8(out, static_cast<unsigned char>(s[i++]));  // Latin-1: byte = code point
      continue;
    }
    size_t j = i;
    while (j < s.size() && s[j] == '\\') ++j;
    const size_t run = j - i;
    const bool escape = run % 2 == 1 && j < s.size() && (s[j] == 'u' || s[j] == 'U');
    out.append(escape ? run - 1 : run, '\\');
    i = j;
    if (!escape) continue;
    const size_t digits = s[j] == 'u' ? 4 : 8;
    uint32_t cp = 0;
    for (size_t k = 0; k < digits; ++k) {
      const int d = j + 1 + k < s.size() ? hex_digit(s[j + 1 + k]) : -1;
      if (d < 0) {
        throw DocumentError(fmt::format("truncated \\{}{} escape at position {}", s[j],
                                        std::string(digits, 'X'), j - 1));
      }
      cp = cp * 16 + static_cast<uint32_t>(d);
    }
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      throw DocumentError(fmt::format(
          "escape \\{}{:0{}x} at position {} is not a Unicode scalar value (a surrogate or past "
          "U+10FFFF)",
          s[j], cp, digits, j - 1));
    }
    append_utf8(out, cp);
    i = j + 1 + digits;
  }
  return out;
}

std::string parse_decimal(std::string_view s) {
  std::string_view digits = strip_space(s);
  const bool negative = !digits.empty() && digits.front() == '-';
  if (!digits.empty() && (digits.front() == '-' || digits.front() == '+')) digits.remove_prefix(1);
  if (digits.empty() ||
      !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    throw DocumentError(fmt::format("'{}' is not a decimal integer", s.substr(0, 40)));
  }
  if (digits.size() > kMaxDecimalDigits) {
    throw DocumentError(fmt::format("an integer of {} digits is over Python's limit of {}",
                                    digits.size(), kMaxDecimalDigits));
  }
  std::string bytes;  // magnitude, little-endian; at most ~1,800 bytes for 4,300 digits
  for (const char c : digits) {
    unsigned carry = static_cast<unsigned>(c - '0');
    for (char& byte : bytes) {
      const unsigned v = static_cast<unsigned char>(byte) * 10U + carry;
      byte = static_cast<char>(v & 0xFF);
      carry = v >> 8;
    }
    if (carry != 0) bytes += static_cast<char>(carry);
  }
  bytes += '\0';  // room for the sign bit
  if (negative) negate(bytes);
  trim_long(bytes);
  return bytes;
}

void trim_long(std::string& little_endian) {
  auto& b = little_endian;
  while (b.size() > 1) {
    const auto top = static_cast<unsigned char>(b[b.size() - 1]);
    const bool next_negative = (static_cast<unsigned char>(b[b.size() - 2]) & 0x80) != 0;
    if (!((top == 0x00 && !next_negative) || (top == 0xFF && next_negative))) break;
    b.pop_back();
  }
  if (b.size() == 1 && b[0] == '\0') b.clear();  // Python encodes 0 as no bytes
}

std::optional<int64_t> long_to_int64(std::string_view little_endian) {
  if (little_endian.size() > 8) return std::nullopt;
  uint64_t v = is_negative(little_endian) ? ~uint64_t{0} : 0;  // sign-extend
  for (size_t i = 0; i < little_endian.size(); ++i) {
    v &= ~(uint64_t{0xFF} << (8 * i));
    v |= uint64_t{static_cast<unsigned char>(little_endian[i])} << (8 * i);
  }
  return static_cast<int64_t>(v);
}

std::string long_to_decimal(std::string_view little_endian) {
  std::string magnitude(little_endian);
  const bool negative = is_negative(little_endian);
  if (negative) negate(magnitude);  // now unsigned: -2^(8n-1) becomes 2^(8n-1), still n bytes
  std::vector<uint32_t> chunks;     // base 1e9 digits, least significant first
  while (!magnitude.empty()) {
    uint64_t remainder = 0;
    for (size_t i = magnitude.size(); i-- > 0;) {
      const uint64_t v = (remainder << 8) | static_cast<unsigned char>(magnitude[i]);
      magnitude[i] = static_cast<char>(v / 1'000'000'000);
      remainder = v % 1'000'000'000;
    }
    chunks.push_back(static_cast<uint32_t>(remainder));
    while (!magnitude.empty() && magnitude.back() == '\0') magnitude.pop_back();
  }
  if (chunks.empty()) return "0";
  std::string out = negative ? "-" : "";
  out += fmt::format("{}", chunks.back());
  for (size_t i = chunks.size() - 1; i-- > 0;) out += fmt::format("{:09}", chunks[i]);
  return out;
}

std::optional<std::string> hex_to_long(std::string_view hex) {
  if (hex.size() >= 2 && hex[0] == '0' && (hex[1] == 'x' || hex[1] == 'X')) hex.remove_prefix(2);
  if (hex.empty()) return std::nullopt;
  std::string bytes;
  for (size_t end = hex.size(); end > 0; end -= std::min<size_t>(end, 2)) {
    const int lo = hex_digit(hex[end - 1]);
    const int hi = end >= 2 ? hex_digit(hex[end - 2]) : 0;
    if (lo < 0 || hi < 0) return std::nullopt;
    bytes += static_cast<char>(hi * 16 + lo);
  }
  bytes += '\0';  // non-negative
  trim_long(bytes);
  return bytes;
}

}  // namespace cola::pickle::detail

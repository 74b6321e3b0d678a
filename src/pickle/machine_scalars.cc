// The opcodes that push numbers, strings and bytes.
#include <fmt/format.h>

#include <bit>
#include <charconv>
#include <cstring>

#include "pickle/machine.h"
#include "pickle/text.h"

namespace cola::pickle::detail {

// INT and LONG (protocol 0): decimal text. INT 00 and 01 are how protocol 0 writes False/True.
void Machine::int_line(bool is_long) {
  std::string_view line = read_line();
  if (!is_long && (line == "00" || line == "01")) return push(doc_.make_bool(line == "01"));
  if (is_long && !line.empty() && line.back() == 'L') line.remove_suffix(1);  // Python 2's 12L
  const std::string bytes = parse_decimal(line);
  push(doc_.make_long(bytes));
}

// FLOAT (protocol 0): repr() text, e.g. 3e-05, inf, nan.
void Machine::float_line() {
  std::string_view line = read_line();
  while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
  while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) line.remove_suffix(1);
  if (!line.empty() && line.front() == '+') line.remove_prefix(1);  // from_chars takes no '+'
  double d = 0;
  const auto [end, error] = std::from_chars(line.data(), line.data() + line.size(), d);
  if (line.empty() || error != std::errc() || end != line.data() + line.size()) {
    fail(fmt::format("'{}' is not a float", line.substr(0, 40)));
  }
  push(doc_.make_float(d));
}

// BINFLOAT: an IEEE 754 double, big-endian (unlike every other binary argument).
void Machine::binfloat() {
  const auto bits = __builtin_bswap64(read_le<uint64_t>());
  push(doc_.make_float(std::bit_cast<double>(bits)));
}

// LONG1 / LONG4: n bytes of little-endian two's complement.
void Machine::long_bytes(uint64_t n) { push(doc_.make_long(take_counted(n, "an int"))); }

// STRING, BINSTRING, SHORT_BINSTRING hold Python 2 str bytes, which Python 3 decodes with the
// `encoding` given to pickle.load (ASCII by default, utf-8 in torch.load). We keep valid UTF-8
// as a str (what torch.load gives) and anything else as bytes (what encoding='bytes' gives),
// rather than failing or guessing Latin-1.
void Machine::python2_string(std::string_view raw) {
  push(is_utf8(raw) ? doc_.make_string(raw) : doc_.make_bytes(raw));
}

// STRING (protocol 0): a quoted Python 2 literal.
void Machine::quoted_string_line() {
  const std::string_view line = read_line();
  if (line.size() < 2 || line.front() != line.back() ||
      (line.front() != '\'' && line.front() != '"')) {
    fail("the STRING argument must be quoted");
  }
  python2_string(escape_decode(line.substr(1, line.size() - 2)));
}

// BINUNICODE and friends: UTF-8 bytes, checked (Python's 'surrogatepass' would also take encoded
// surrogates, which no valid str holds; we refuse them with everything else that is not UTF-8).
void Machine::unicode(std::string_view utf8) {
  if (!is_utf8(utf8)) fail("a str that is not valid UTF-8: corrupt or hostile pickle");
  push(doc_.make_string(utf8));
}

// PERSID (protocol 0): the persistent id is an ASCII line.
void Machine::persistent_id_line() {
  const std::string_view line = read_line();
  for (const char c : line) {
    if (static_cast<unsigned char>(c) >= 0x80) fail("a PERSID persistent id must be ASCII");
  }
  load_persistent(*doc_.make_string(line));
}

}  // namespace cola::pickle::detail

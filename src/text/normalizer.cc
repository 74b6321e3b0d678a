#include "text/normalizer.h"

#include <fmt/format.h>
#include <utf8proc.h>

#include <cstring>
#include <vector>

#include "core/error.h"
#include "text/unicode.h"

namespace cola::text {
namespace {

AsciiTable make_ascii_table(bool lowercase) {
  AsciiTable table{};
  for (int c = 0; c < 128; ++c) {
    const auto cp = static_cast<char32_t>(c);
    auto byte = static_cast<char>(c);
    ByteClass kind = ByteClass::word;
    // \0 is Cc, so is_control covers it; the order matches HF: whitespace wins for \t \n \r.
    if (is_whitespace(cp)) {
      byte = ' ';
      kind = ByteClass::space;
    } else if (is_control(cp)) {
      kind = ByteClass::drop;
    } else if (is_punctuation(cp)) {
      kind = ByteClass::punctuation;
    } else if (lowercase && c >= 'A' && c <= 'Z') {
      byte = static_cast<char>(c - 'A' + 'a');
    }
    table[static_cast<size_t>(c)] = {byte, kind};
  }
  return table;
}

// Canonical decomposition with canonical ordering (NFD), then dropping nonspacing marks: the
// `_run_strip_accents` of transformers. utf8proc's STRIPMARK would also drop Mc/Me, which BERT
// keeps (e.g. Devanagari vowel signs), so the filter is ours.
void strip_accents(std::string_view text, std::string& out) {
  thread_local std::vector<utf8proc_int32_t> nfd;
  const auto* bytes = reinterpret_cast<const utf8proc_uint8_t*>(text.data());
  const auto len = static_cast<utf8proc_ssize_t>(text.size());
  nfd.resize(text.size() + 16);
  auto n = utf8proc_decompose(bytes, len, nfd.data(), static_cast<utf8proc_ssize_t>(nfd.size()),
                              UTF8PROC_DECOMPOSE);
  if (n > static_cast<utf8proc_ssize_t>(nfd.size())) {
    nfd.resize(static_cast<size_t>(n));
    n = utf8proc_decompose(bytes, len, nfd.data(), n, UTF8PROC_DECOMPOSE);
  }
  if (n < 0) throw Error(fmt::format("cannot decompose text: {}", utf8proc_errmsg(n)));
  out.clear();
  for (utf8proc_ssize_t i = 0; i < n; ++i) {
    const auto cp = static_cast<char32_t>(nfd[static_cast<size_t>(i)]);
    if (!is_nonspacing_mark(cp)) append_utf8(out, cp);
  }
}

}  // namespace

Normalizer::Normalizer(NormalizerOptions options)
    : lowercase_(options.lowercase),
      strip_accents_(options.strip_accents.value_or(options.lowercase)),
      ascii_(make_ascii_table(options.lowercase)) {}

bool Normalizer::is_ascii(std::string_view text) {
  // Eight bytes at a time: the whole CoLA training set is scanned once per epoch per sentence.
  size_t i = 0;
  uint64_t high = 0;
  for (; i + 8 <= text.size(); i += 8) {
    uint64_t word = 0;
    std::memcpy(&word, text.data() + i, 8);
    high |= word;
  }
  for (; i < text.size(); ++i) high |= static_cast<unsigned char>(text[i]);
  return (high & 0x8080808080808080ULL) == 0;
}

void Normalizer::clean_and_case(std::string_view text, std::string& out) const {
  out.clear();
  size_t pos = 0;
  while (pos < text.size()) {
    const auto byte = static_cast<unsigned char>(text[pos]);
    if (byte < 0x80) {
      const AsciiRule rule = ascii_[byte];
      if (rule.kind != ByteClass::drop) out.push_back(rule.byte);
      ++pos;
      continue;
    }
    char32_t cp = 0;
    const size_t n = decode_utf8(text, pos, cp);
    if (n == 0) throw Error(fmt::format("text is not valid UTF-8 (byte {})", pos));
    pos += n;
    if (cp == 0xFFFD || is_control(cp)) continue;
    if (is_whitespace(cp)) {
      out.push_back(' ');
    } else if (is_cjk_ideograph(cp)) {
      out.push_back(' ');
      append_utf8(out, cp);
      out.push_back(' ');
    } else if (lowercase_ && cp == 0x130) {
      out += "i\xCC\x87";  // İ: full lowercase mapping "i" + U+0307, as Python and Rust do
    } else {
      append_utf8(out, lowercase_ ? static_cast<char32_t>(
                                        utf8proc_tolower(static_cast<utf8proc_int32_t>(cp)))
                                  : cp);
    }
  }
}

void Normalizer::normalize(std::string_view text, std::string& out) const {
  if (!strip_accents_) return clean_and_case(text, out);
  thread_local std::string cased;
  clean_and_case(text, cased);
  if (is_ascii(cased)) {
    out = cased;  // nothing to decompose
    return;
  }
  strip_accents(cased, out);
}

}  // namespace cola::text

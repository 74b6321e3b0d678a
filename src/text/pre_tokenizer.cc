#include "text/pre_tokenizer.h"

#include "text/unicode.h"

namespace cola::text {

size_t punctuation_length(std::string_view text, size_t pos) {
  char32_t cp = 0;
  const size_t len = decode_utf8(text, pos, cp);
  return len != 0 && is_punctuation(cp) ? len : 0;
}

}  // namespace cola::text

// The tokenizer on arbitrary bytes: invalid UTF-8 is an Error, anything else encodes.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/error.h"
#include "text/tokenizer.h"

namespace {

const cola::text::Tokenizer& tokenizer() {
  // Specials, whole words, continuation pieces and a CJK character: every branch of WordPiece.
  static const auto t = cola::text::Tokenizer(cola::text::Vocab::from_tokens(
      {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "un", "##aff", "##able", "a", "##b",
       ",", ".", "\xe4\xb8\xad", "caf", "##e"},
      "fuzz vocab"));
  return t;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (const int64_t max_length : {int64_t{8}, int64_t{512}}) {
    try {
      const auto encoding = tokenizer().encode(text, {.max_length = max_length});
      if (encoding.ids.size() < 2 || static_cast<int64_t>(encoding.ids.size()) > max_length) {
        __builtin_trap();  // [CLS] ... [SEP], never longer than asked
      }
    } catch (const cola::Error&) {
    } catch (const cola::UsageError&) {
    }
  }
  return 0;
}

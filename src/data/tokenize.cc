#include "data/tokenize.h"

#include <fmt/format.h>

#include "core/error.h"

namespace cola::data {

TokenizedSplit tokenize_split(const Split& split, const text::Tokenizer& tokenizer,
                              int64_t max_length) {
  TokenizedSplit out;
  out.ids.reserve(split.examples.size());
  out.labels.reserve(split.examples.size());
  text::Encoding encoding;
  const text::EncodeOptions options{.max_length = max_length};
  for (const auto& example : split.examples) {
    with_context(fmt::format("{}:{}", split.path.string(), example.line),
                 [&] { tokenizer.encode(example.sentence, options, encoding); });
    out.ids.push_back(encoding.ids);
    out.labels.push_back(example.label);
  }
  return out;
}

}  // namespace cola::data

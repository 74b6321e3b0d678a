#pragma once
// From read sentences to what the batcher draws from.
#include <cstdint>

#include "data/batcher.h"
#include "data/example.h"
#include "text/tokenizer.h"

namespace cola::data {

/// Encodes every sentence ([CLS] ... [SEP], truncated to max_length; 0 = no limit) and keeps the
/// labels, row for row.
TokenizedSplit tokenize_split(const Split& split, const text::Tokenizer& tokenizer,
                              int64_t max_length);

}  // namespace cola::data

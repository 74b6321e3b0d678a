#pragma once
// Code point classes with the exact semantics of Hugging Face's BERT normalizer and pre-tokenizer
// (transformers' BasicTokenizer, tokenizers' BertNormalizer/BertPreTokenizer). Only the non-ASCII
// path calls these; ASCII text goes through the byte tables in normalizer.h.
#include <cstddef>
#include <string>
#include <string_view>

namespace cola::text {

/// Dropped by BERT's text cleaning: Cc, Cf and Co, except \t \n \r (which are whitespace).
bool is_control(char32_t cp);
/// Mapped to a space by text cleaning: ' ', \t, \n, \r and the Z* categories.
bool is_whitespace(char32_t cp);
/// A word of its own: ASCII 33-47, 58-64, 91-96, 123-126, or any Unicode P* category.
bool is_punctuation(char32_t cp);
/// A CJK ideograph, which BERT surrounds with spaces (HF `_is_chinese_char` ranges).
bool is_cjk_ideograph(char32_t cp);
/// Unicode category Mn (nonspacing mark): what BERT's accent stripping removes after NFD.
bool is_nonspacing_mark(char32_t cp);

/// Decodes the code point at text[pos]; returns its byte length, or 0 if the bytes there are not
/// valid UTF-8 (overlong forms and surrogates included).
size_t decode_utf8(std::string_view text, size_t pos, char32_t& cp);
/// Appends the UTF-8 encoding of `cp`.
void append_utf8(std::string& out, char32_t cp);
/// Byte offset of the first invalid UTF-8 sequence in `text`, or npos when it is all valid.
size_t find_invalid_utf8(std::string_view text);

}  // namespace cola::text

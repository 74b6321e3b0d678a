#include "text/tokenizer.h"

#include <fmt/format.h>

#include "core/error.h"
#include "text/pre_tokenizer.h"
#include "text/wordpiece.h"

namespace cola::text {
namespace {

// Per-thread buffers, so that encoding a text allocates nothing once they have grown.
struct Scratch {
  std::string normalized;
  std::string word;
};
thread_local Scratch buffers;

// The special token written literally at text[pos], if any; -1 otherwise.
int64_t special_at(const Vocab& vocab, std::string_view text, size_t pos, size_t& length) {
  for (const std::string_view token : kSpecialTokens) {
    if (text.substr(pos, token.size()) == token) {
      length = token.size();
      return vocab.find(token);
    }
  }
  return -1;
}

}  // namespace

Tokenizer::Tokenizer(Vocab vocab, TokenizerOptions options)
    : vocab_(std::move(vocab)),
      normalizer_(NormalizerOptions{options.lowercase, options.strip_accents}) {}

Tokenizer Tokenizer::from_file(const std::filesystem::path& vocab_path, TokenizerOptions options) {
  return Tokenizer(Vocab::load(vocab_path), options);
}

void Tokenizer::encode_segment(std::string_view segment, std::vector<int64_t>& ids) const {
  // ASCII fast path: the pre-tokenizer's byte table does all of the normalization.
  std::string_view source = segment;
  if (!Normalizer::is_ascii(segment)) {
    normalizer_.normalize(segment, buffers.normalized);
    source = buffers.normalized;
  }
  split_words(
      source, normalizer_.ascii_table(), buffers.word,
      [&](std::string_view word, size_t n_chars) { wordpiece_encode(vocab_, word, n_chars, ids); });
}

void Tokenizer::encode_pieces(std::string_view text, std::vector<int64_t>& ids) const {
  // Special tokens written in the text ("[SEP]") keep their ids, as Hugging Face matches its
  // added tokens in the raw text before normalizing the rest.
  size_t start = 0;
  size_t pos = 0;
  while ((pos = text.find('[', pos)) != std::string_view::npos) {
    size_t length = 0;
    const int64_t id = special_at(vocab_, text, pos, length);
    if (id < 0) {
      ++pos;
      continue;
    }
    encode_segment(text.substr(start, pos - start), ids);
    ids.push_back(id);
    start = pos = pos + length;
  }
  encode_segment(text.substr(start), ids);
}

void Tokenizer::encode(std::string_view text, const EncodeOptions& options, Encoding& out) const {
  if (options.max_length < 0 || options.max_length == 1) {
    throw UsageError(
        fmt::format("max_length must be 0 (no limit) or at least 2 (room for [CLS] "
                    "and [SEP]), got {}",
                    options.max_length));
  }
  out.ids.clear();
  out.tokens.clear();
  out.ids.push_back(vocab_.special().cls);
  encode_pieces(text, out.ids);
  // Truncation drops pieces from the end but always keeps [SEP] (HF's "longest_first" on one text).
  const auto limit = static_cast<size_t>(options.max_length);
  out.truncated = limit > 0 && out.ids.size() + 1 > limit;
  if (out.truncated) out.ids.resize(limit - 1);
  out.ids.push_back(vocab_.special().sep);
  if (options.with_tokens) {
    out.tokens.reserve(out.ids.size());
    for (const int64_t id : out.ids) out.tokens.emplace_back(vocab_.token(id));
  }
}

Encoding Tokenizer::encode(std::string_view text, const EncodeOptions& options) const {
  Encoding out;
  encode(text, options, out);
  return out;
}

PaddedBatch Tokenizer::encode_batch(std::span<const std::string> texts, Padding padding,
                                    int64_t max_length) const {
  if (max_length < 2) {
    throw UsageError(fmt::format("max_length must be at least 2, got {}", max_length));
  }
  std::vector<Encoding> encodings(texts.size());
  std::vector<std::span<const int64_t>> rows;
  rows.reserve(texts.size());
  for (size_t i = 0; i < texts.size(); ++i) {
    encode(texts[i], EncodeOptions{max_length, false}, encodings[i]);
    rows.emplace_back(encodings[i].ids);
  }
  PaddedBatch batch;
  pad_batch(rows, padding, max_length, vocab_.special().pad, batch);
  return batch;
}

}  // namespace cola::text

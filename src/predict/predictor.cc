#include "predict/predictor.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <utility>

#include "core/clock.h"
#include "core/error.h"

namespace cola::predict {
namespace {

using core::Clock;
using core::seconds_since;

void check(const PredictOptions& o) {
  if (o.batch_size < 1)
    throw UsageError(fmt::format("batch size must be >= 1, got {}", o.batch_size));
  if (o.max_length < 2) {
    throw UsageError(
        fmt::format("max length must be >= 2 ([CLS] and [SEP]), got {}", o.max_length));
  }
}

}  // namespace

PredictOptions fit_to_shape(PredictOptions options, const FixedShape& fixed) {
  if (fixed.seq_len > 0) {
    options.max_length = fixed.seq_len;
    options.padding = text::Padding::max_length;
  }
  if (fixed.batch > 0) options.batch_size = fixed.batch;
  return options;
}

std::vector<std::string> fixed_shape_notes(const FixedShape& fixed,
                                           const PredictOptions& requested) {
  std::vector<std::string> notes;
  if (fixed.seq_len > 0) {
    notes.push_back(fmt::format(
        "the model takes exactly {0} tokens, so every sentence is padded (or cut) to {0}{1}",
        fixed.seq_len,
        requested.max_length != fixed.seq_len
            ? fmt::format(", not to the max length of {} asked for", requested.max_length)
            : ""));
  }
  if (fixed.batch > 0 && requested.batch_size != fixed.batch) {
    notes.push_back(fmt::format(
        "the model takes batches of exactly {0} sentences, so the batch size is {0}, not {1} "
        "(a short last batch is filled with empty rows)",
        fixed.batch, requested.batch_size));
  }
  return notes;
}

void softmax_rows(std::span<float> logits, size_t n) {
  for (size_t row = 0; row + n <= logits.size(); row += n) {
    auto r = logits.subspan(row, n);
    const float max = *std::max_element(r.begin(), r.end());
    float sum = 0;
    for (float& v : r) sum += (v = std::exp(v - max));
    for (float& v : r) v /= sum;
  }
}

Predictor::Predictor(text::Tokenizer tokenizer, std::vector<std::string> labels,
                     PredictOptions options, FixedShape fixed)
    : tokenizer_(std::move(tokenizer)),
      labels_(std::move(labels)),
      fixed_(fixed),
      options_(fit_to_shape(options, fixed)),
      empty_row_{tokenizer_.vocab().special().cls, tokenizer_.vocab().special().sep} {
  if (labels_.empty()) throw Error("the model has no labels");
  check(options);
  check(options_);
}

void Predictor::set_options(const PredictOptions& options) {
  check(options);
  options_ = fit_to_shape(options, fixed_);
}

void Predictor::predict(std::span<const std::string> texts, Workspace& ws,
                        std::vector<Prediction>& out) const {
  const auto start = Clock::now();
  const text::EncodeOptions encode{.max_length = options_.max_length, .with_tokens = false};
  if (ws.encodings.size() < texts.size()) ws.encodings.resize(texts.size());
  for (size_t i = 0; i < texts.size(); ++i) tokenizer_.encode(texts[i], encode, ws.encodings[i]);
  ws.tokenize_seconds += seconds_since(start);
  predict_tokenized(texts.size(), ws, out);
}

void Predictor::predict_tokenized(size_t n_texts, Workspace& ws, std::vector<Prediction>& out,
                                  const BatchCost& cost) const {
  const auto start = Clock::now();
  ws.order.resize(n_texts);
  std::iota(ws.order.begin(), ws.order.end(), int64_t{0});
  if (options_.sort_by_length) {
    // Stable, so equal lengths keep their input order (deterministic batches).
    std::stable_sort(ws.order.begin(), ws.order.end(), [&](int64_t a, int64_t b) {
      return ws.encodings[a].ids.size() < ws.encodings[b].ids.size();
    });
  }
  ws.lengths.clear();
  for (const int64_t i : ws.order)
    ws.lengths.push_back(static_cast<int64_t>(ws.encodings[i].ids.size()));
  // A static batch axis runs its own number of rows whatever the cost; rows padded to
  // max_length save nothing by being cut apart; unsorted rows have no lengths to cut between.
  const bool plan =
      fixed_.batch == 0 && options_.sort_by_length && options_.padding == text::Padding::longest;
  plan_batches(ws.lengths, options_.batch_size, plan ? cost : BatchCost{}, ws.batch_sizes);
  ws.tokenize_seconds += seconds_since(start);

  out.resize(n_texts);
  int64_t first = 0;
  for (const int64_t count : ws.batch_sizes) {
    run_batch(std::span<const int64_t>(ws.order).subspan(first, count), ws, out);
    first += count;
  }
}

std::vector<Prediction> Predictor::predict(std::span<const std::string> texts) const {
  Workspace ws;
  std::vector<Prediction> out;
  predict(texts, ws, out);
  return out;
}

void Predictor::run_batch(std::span<const int64_t> indices, Workspace& ws,
                          std::vector<Prediction>& out) const {
  ws.rows.clear();
  for (int64_t i : indices) ws.rows.emplace_back(ws.encodings[i].ids);
  // A static batch axis takes exactly fixed_.batch rows: the last batch is filled up with the
  // empty text (a valid input for any BERT, unlike an all-padding row), and its outputs dropped.
  while (std::cmp_less(ws.rows.size(), fixed_.batch)) ws.rows.emplace_back(empty_row_);
  text::pad_batch(ws.rows, options_.padding, options_.max_length, tokenizer_.vocab().special().pad,
                  ws.batch);
  const auto start = Clock::now();
  forward(ws.batch, ws.logits);
  ws.batch_seconds.push_back(seconds_since(start));

  const size_t n = labels_.size();
  if (ws.logits.size() != ws.rows.size() * n) {
    throw Error(fmt::format("{}: the model returned {} values for {} texts and {} labels",
                            backend(), ws.logits.size(), ws.rows.size(), n));
  }
  if (options_.keep_logits) {
    for (size_t row = 0; row < indices.size(); ++row) {
      const auto logits = std::span<const float>(ws.logits).subspan(row * n, n);
      out[indices[row]].logits.assign(logits.begin(), logits.end());
    }
  }
  softmax_rows(ws.logits, n);
  for (size_t row = 0; row < indices.size(); ++row) {
    Prediction& p = out[indices[row]];  // back to the input position
    const auto scores = std::span<const float>(ws.logits).subspan(row * n, n);
    p.scores.assign(scores.begin(), scores.end());
    p.truncated = ws.encodings[indices[row]].truncated;
  }
}

}  // namespace cola::predict

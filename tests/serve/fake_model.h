#pragma once
// A predictor for the server's tests whose logits tell which input they came from (logit 0: the
// input's real token count; logit 1: the padded width of its batch), and whose forward() can be
// held at a gate, so a test can fill the queue while the batching thread is busy.
#include <condition_variable>
#include <mutex>
#include <vector>

#include "predict/predictor.h"

namespace cola::serve::test {

inline text::Tokenizer small_tokenizer() {
  return text::Tokenizer(text::Vocab::from_tokens(
      {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "a", "b", "c", "d"}, "test vocab"));
}

inline predict::PredictOptions one_call_options() {
  predict::PredictOptions o;
  o.batch_size = 1 << 20;  // as cola serve sets it: a formed batch is one forward()
  o.max_length = 16;
  o.keep_logits = true;
  return o;
}

class GatedModel final : public predict::Predictor {
 public:
  GatedModel() : Predictor(small_tokenizer(), {"len", "width"}, one_call_options()) {}

  void forward(const text::PaddedBatch& b, std::vector<float>& logits) const override {
    std::unique_lock lock(mutex_);
    ++entered_;
    changed_.notify_all();
    changed_.wait(lock, [&] { return open_; });
    rows_.push_back(b.batch);
    logits.assign(static_cast<size_t>(b.batch * 2), 0);
    for (int64_t r = 0; r < b.batch; ++r) {
      for (int64_t c = 0; c < b.seq_len; ++c) {
        logits[r * 2] += static_cast<float>(b.attention_mask[r * b.seq_len + c]);
      }
      logits[r * 2 + 1] = static_cast<float>(b.seq_len);
    }
  }
  std::string_view backend() const override { return "gated"; }

  /// Holds the next forward() calls until open().
  void close() {
    std::lock_guard lock(mutex_);
    open_ = false;
  }
  void open() {
    std::lock_guard lock(mutex_);
    open_ = true;
    changed_.notify_all();
  }
  /// Waits until `n` forward() calls have begun.
  void wait_entered(int n) const {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return entered_ >= n; });
  }
  /// forward() calls begun so far.
  int entered() const {
    std::lock_guard lock(mutex_);
    return entered_;
  }
  /// Rows of each batch run so far.
  std::vector<int64_t> rows() const {
    std::lock_guard lock(mutex_);
    return rows_;
  }

 private:
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  bool open_ = true;
  mutable int entered_ = 0;
  mutable std::vector<int64_t> rows_;
};

}  // namespace cola::serve::test

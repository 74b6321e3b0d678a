#pragma once
// One inference interface for ONNX Runtime and LibTorch. A Predictor owns the model's tokenizer
// and labels; predict() tokenizes, sorts by length into micro-batches padded to their longest row
// (so a batch of short sentences never pays for a long one), runs the backend's forward(),
// softmaxes, and restores the input order.
//
//   auto p = runtime::OnnxPredictor::open("model.onnx", {});
//   auto out = p->predict(std::vector<std::string>{"The boy is sitting on a bench."});
//   // out[0].scores[i] is the probability of p->labels()[i]
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "predict/batch_plan.h"
#include "text/batch.h"
#include "text/tokenizer.h"

namespace cola::predict {

/// How predict() batches.
struct PredictOptions {
  int64_t batch_size = 32;                         // sentences per forward pass (> 0)
  int64_t max_length = text::kDefaultMaxLength;    // tokens kept incl. [CLS]/[SEP]; longer: cut
  text::Padding padding = text::Padding::longest;  // max_length pads every row (the seed's 128)
  bool sort_by_length = true;  // false: batches in input order (what "dynamic, unsorted" costs)
  bool keep_logits = false;    // also fill Prediction::logits (the server's "raw_scores")
};

/// The input shape a model pins down (an ONNX file with static axes, such as torch.onnx.export
/// writes without dynamic_axes); 0 = free. It overrides PredictOptions: see fit_to_shape.
struct FixedShape {
  int64_t batch = 0;    // rows per forward pass; a short last batch is filled with empty rows
  int64_t seq_len = 0;  // tokens per row; every row is padded and cut to it
};

/// `options` as a model of shape `fixed` can run them: a static sequence axis sets max_length to
/// it with Padding::max_length, a static batch axis sets batch_size.
PredictOptions fit_to_shape(PredictOptions options, const FixedShape& fixed);

/// One line per option that `fixed` overrides in `requested`, for the user: always one for a
/// static sequence axis (every sentence is padded to it), one for a static batch axis when the
/// batch size asked for differs. Empty for a free shape.
std::vector<std::string> fixed_shape_notes(const FixedShape& fixed,
                                           const PredictOptions& requested);

/// The result for one text.
struct Prediction {
  std::vector<float> scores;  // softmax probabilities, in label order
  std::vector<float> logits;  // the raw outputs, in label order (with PredictOptions::keep_logits)
  bool truncated = false;     // the text was longer than max_length tokens and was cut
};

/// Reusable buffers for predict(): one per thread, kept across calls so that the steady state
/// allocates nothing. Also collects the forward time of each micro-batch.
struct Workspace {
  std::vector<text::Encoding> encodings;  // per text
  std::vector<int64_t> order;             // text indices sorted by length
  std::vector<int64_t> lengths;           // tokens of each text, in that order
  std::vector<int64_t> batch_sizes;       // rows of each forward pass, in that order
  std::vector<std::span<const int64_t>> rows;
  text::PaddedBatch batch;
  std::vector<float> logits;          // [batch, num_labels]
  std::vector<double> batch_seconds;  // forward() wall time per micro-batch, appended
  double tokenize_seconds = 0;        // summed over calls
};

class Predictor {
 public:
  virtual ~Predictor() = default;
  Predictor(const Predictor&) = delete;
  Predictor& operator=(const Predictor&) = delete;

  /// Predicts `texts` into `out` (resized to texts.size(), in input order). Thread-safe: several
  /// threads may call it at once, each with its own Workspace. Throws Error for invalid UTF-8.
  void predict(std::span<const std::string> texts, Workspace& ws,
               std::vector<Prediction>& out) const;
  /// predict() with a fresh Workspace.
  std::vector<Prediction> predict(std::span<const std::string> texts) const;
  /// predict() for `n` texts already tokenized into ws.encodings[0, n) (with max_length, as
  /// tokenizer() and options() say): sorts, batches, runs. For callers that tokenize on other
  /// threads, as the server's handlers do. With a known `cost`, the sorted texts are cut into
  /// passes of least cost (plan_batches) instead of every batch_size rows.
  void predict_tokenized(size_t n, Workspace& ws, std::vector<Prediction>& out,
                         const BatchCost& cost = {}) const;

  /// Runs the model on one padded batch: `logits` becomes [batch.batch, labels().size()],
  /// row-major. Thread-safe. Public so that benchmarks can time the model alone.
  virtual void forward(const text::PaddedBatch& batch, std::vector<float>& logits) const = 0;
  /// "onnx" or "torch".
  virtual std::string_view backend() const = 0;

  const text::Tokenizer& tokenizer() const { return tokenizer_; }
  const std::vector<std::string>& labels() const { return labels_; }
  /// The options in force: those given, fitted to fixed_shape().
  const PredictOptions& options() const { return options_; }
  /// Changes batching, fitted to fixed_shape() (not thread-safe against concurrent predict()).
  void set_options(const PredictOptions& options);
  /// What the model's inputs pin down; {0, 0} for a model that takes any shape.
  const FixedShape& fixed_shape() const { return fixed_; }

 protected:
  /// Throws UsageError for a batch size < 1 or a max_length < 2, Error for no labels.
  Predictor(text::Tokenizer tokenizer, std::vector<std::string> labels, PredictOptions options,
            FixedShape fixed = {});

 private:
  void run_batch(std::span<const int64_t> indices, Workspace& ws,
                 std::vector<Prediction>& out) const;

  text::Tokenizer tokenizer_;
  std::vector<std::string> labels_;
  FixedShape fixed_;
  PredictOptions options_;
  std::vector<int64_t> empty_row_;  // [CLS] [SEP]: fills a batch up to fixed_.batch
};

/// Softmax of each row of `logits` ([rows, n]) in place, computed stably (max subtracted).
void softmax_rows(std::span<float> logits, size_t n);

}  // namespace cola::predict

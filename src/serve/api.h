#pragma once
// The JSON of the server's API, apart from any transport, after text-embeddings-inference's
// router/src/http/types.rs and the Hugging Face pipelines' output:
//   {"inputs": "one sentence"}                   -> [{"label": "acceptable", "score": 0.93}, ...]
//   {"inputs": ["a", "b"]} or [["a"], ["b"]]     -> a list of such lists, in input order
//   "raw_scores": true                           -> logits instead of probabilities
//   "truncate": false                            -> 422 for input longer than the model takes
// Each list is sorted by score, highest first. (TEI reads ["a", "b"] as one sentence pair; cola's
// model takes single sentences, so a flat list is a batch, and a real pair is refused.)
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace cola::serve {

/// An answer that is an error: the HTTP status, TEI's error_type and a message. Its JSON body is
/// {"error": message, "error_type": type}.
struct ApiError : std::runtime_error {
  ApiError(int http_status, std::string error_type, const std::string& message)
      : std::runtime_error(message), status(http_status), type(std::move(error_type)) {}
  int status;
  std::string type;  // "Validation", "Tokenizer", "Overloaded", "Unhealthy", ...
};

/// `{"error": ..., "error_type": ...}`.
std::string error_body(std::string_view message, std::string_view type);

/// A parsed POST /predict.
struct PredictRequest {
  std::vector<std::string> inputs;
  bool batched = false;          // "inputs" was a list: the answer is a list of lists
  bool raw_scores = false;       // logits instead of softmax probabilities
  std::optional<bool> truncate;  // unset: the server's auto_truncate
};

/// Parses a POST /predict body. Throws ApiError: 422 for malformed JSON, a missing or non-string
/// "inputs", a sentence pair, an empty list or a field of the wrong type (each named); 413 for
/// more than `max_inputs` inputs.
PredictRequest parse_predict(std::string_view body, int64_t max_inputs);

/// The answer: per input, {label, score} for every label sorted by score (highest first); one
/// list, or a list of lists when `batched`. `scores[i]` is input i's score per label.
std::string predictions_body(const std::vector<std::vector<float>>& scores,
                             const std::vector<std::string>& labels, bool batched);

}  // namespace cola::serve

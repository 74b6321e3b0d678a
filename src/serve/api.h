#pragma once
// The JSON of the server's API, apart from any transport. POST /predict follows
// text-embeddings-inference's router/src/http/types.rs and the Hugging Face pipelines' output:
//   {"inputs": "one sentence"}                   -> [{"label": "acceptable", "score": 0.93}, ...]
//   {"inputs": ["a", "b"]} or [["a"], ["b"]]     -> a list of such lists, in input order
//   "raw_scores": true                           -> logits instead of probabilities
//   "truncate": false                            -> 422 for input longer than the model takes
// POST / is the Hugging Face Inference API's text-classification task, which the official
// clients post to an endpoint's root (huggingface.js packages/inference/src/providers/
// hf-inference.ts, huggingface_hub src/huggingface_hub/inference/_providers/hf_inference.py):
//   {"inputs": "text" | ["a", "b"], "parameters": {"top_k": 1, "function_to_apply": "sigmoid"}}
//                                                -> [[{"label", "score"}, ...], ...], one list per
//                                                   input, even for a single string
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

/// The 422 of a request whose body is not one the route takes (TEI's "Validation").
inline ApiError invalid_request(const std::string& message) { return {422, "Validation", message}; }

/// `{"error": ..., "error_type": ...}`.
std::string error_body(std::string_view message, std::string_view type);

/// Throws the 413 of a request with more than `max_inputs` (max_client_batch_size) inputs.
void check_client_batch(size_t inputs, int64_t max_inputs);

/// How an input's scores come from the model's logits: transformers' ClassificationFunction
/// (src/transformers/pipelines/text_classification.py), the Inference API's `function_to_apply`.
enum class ClassificationFunction {
  kSoftmax,  // over the labels: what /predict answers
  kSigmoid,  // of each logit alone
  kNone,     // the logits themselves: /predict's "raw_scores"
};

/// transformers' default for a model of `num_labels` labels: sigmoid for one, softmax for more.
ClassificationFunction default_function(size_t num_labels);

/// A parsed POST /predict or POST /.
struct PredictRequest {
  std::vector<std::string> inputs;
  bool batched = false;  // the answer is a list of lists ("inputs" was a list, or POST /)
  ClassificationFunction function_to_apply = ClassificationFunction::kSoftmax;
  std::optional<bool> truncate;  // unset: the server's auto_truncate
  size_t top_k = 0;              // labels per input, highest scores first; 0 = all
  std::string_view truncate_hint = R"("truncate": true)";  // how this API asks to cut, for a 422
};

/// Parses a POST /predict body. Throws ApiError: 422 for malformed JSON, a missing or non-string
/// "inputs", a sentence pair, an empty list or a field of the wrong type (each named); 413 for
/// more than `max_inputs` inputs.
PredictRequest parse_predict(std::string_view body, int64_t max_inputs);

/// Parses a POST / body, the Hugging Face Inference API's text-classification task: "inputs" as
/// parse_predict takes it, and "parameters" with `top_k` (a positive integer), `function_to_apply`
/// ("softmax", "sigmoid" or "none"; default: default_function(num_labels)) and `truncation` (as
/// /predict's "truncate"); null is the default. The answer is always a list of lists. Throws
/// ApiError as parse_predict does, naming the parameter at fault; 422 for any other parameter.
PredictRequest parse_classification(std::string_view body, int64_t max_inputs, size_t num_labels);

/// An input's scores under `f`, from the predictor's softmax probabilities and its logits. Softmax
/// is the predictor's own, so that POST / and /predict give the same numbers.
std::vector<float> apply_function(ClassificationFunction f, const std::vector<float>& softmax,
                                  const std::vector<float>& logits);

/// Fills `order` with the labels' indices by `scores`, highest first; ties keep the labels' order,
/// and a non-finite score ranks last. Every API that names a top label ranks by this.
void rank_labels(const std::vector<float>& scores, std::vector<size_t>& order);

/// The answer: per input, {label, score} sorted by score (highest first), the first `top_k` (0:
/// every label); one list, or a list of lists when `batched`. `scores[i]` is input i's score per
/// label.
std::string predictions_body(const std::vector<std::vector<float>>& scores,
                             const std::vector<std::string>& labels, bool batched,
                             size_t top_k = 0);

}  // namespace cola::serve

#pragma once
// The JSON of the Open Inference Protocol's REST API (KServe v2, which Triton and MLServer speak),
// apart from any transport: kserve/open-inference-protocol specification/protocol/
// inference_rest.md. The model is described as a tensor model:
//   input  "text"   BYTES [-1]          one sentence per element
//   output "scores" FP32  [-1, labels]  softmax probabilities (logits with parameters.raw_scores)
//   output "label"  BYTES [-1]          each sentence's highest-scoring label
// and the labels' names are the model metadata's parameters "id2label.<i>", as in a Hugging Face
// config.json's id2label, so that a client can read the columns of "scores".
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "serve/api.h"

namespace cola::serve {

/// The one model a server serves, as the protocol names it.
struct OipModel {
  std::string name;                 // the {name} of /v2/models/{name}: serve.model_name
  std::string version;              // the {version} of .../versions/{version}
  std::vector<std::string> labels;  // the columns of "scores"
};

/// The metrics' `route` of each model path, with or without /versions/{version}: one series
/// whatever name a client asks for.
inline constexpr std::string_view kOipModelRoute = "/v2/models/{name}";
inline constexpr std::string_view kOipModelReadyRoute = "/v2/models/{name}/ready";
inline constexpr std::string_view kOipInferRoute = "/v2/models/{name}/infer";

/// A path under /v2/models/: which model, which version (if any), and what of it.
struct OipModelPath {
  enum class Kind { kMetadata, kReady, kInfer };
  Kind kind = Kind::kMetadata;
  std::string name;
  std::optional<std::string> version;  // unset: the path named none
  std::string_view route;              // the path with {name} for the model: the metrics label
};

/// Reads /v2/models/{name}[/versions/{version}][/ready|/infer]; nullopt for any other path.
std::optional<OipModelPath> parse_oip_model_path(std::string_view path);

/// Throws ApiError 404 unless `path` names `model` (and its version, when it names one).
void check_oip_model(const OipModelPath& path, const OipModel& model);

/// A parsed inference request: the sentences as parse_predict would give them, the request's
/// "id" and the outputs it asked for.
struct OipInferRequest {
  PredictRequest predict;
  std::optional<std::string> id;  // echoed in the answer
  bool want_scores = true;        // "outputs" named "scores", or named none
  bool want_label = true;         // "outputs" named "label", or named none
};

/// Parses an inference request. Throws ApiError: 400 naming the field at fault (not JSON, no
/// "inputs", a datatype other than BYTES, a shape that does not match the data, an unknown
/// input, output or parameter...), 413 for more than `max_inputs` sentences, as /predict.
/// "parameters" takes "raw_scores" and "truncate" as /predict's body does.
OipInferRequest parse_oip_infer(std::string_view body, int64_t max_inputs);

/// The inference response for `scores` (per sentence, per label, after the request's
/// raw_scores), with the outputs the request asked for.
std::string oip_infer_body(const OipInferRequest& request, const OipModel& model,
                           const std::vector<std::vector<float>>& scores);

/// GET /v2: the server's name, its version and no extensions.
std::string oip_server_metadata(std::string_view version);

/// GET /v2/models/{name}: platform, tensors and the labels.
std::string oip_model_metadata(const OipModel& model);

/// {"error": message}, the protocol's error object.
std::string oip_error_body(std::string_view message);

}  // namespace cola::serve

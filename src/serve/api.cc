#include "serve/api.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <numeric>

namespace cola::serve {
namespace {

using Json = nlohmann::json;

// One input: a string, or TEI's one-element list ["text"].
std::string input_text(const Json& v, size_t index) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_array() && v.size() == 1 && v.front().is_string()) {
    return v.front().get<std::string>();
  }
  if (v.is_array() && v.size() == 2 && v.front().is_string() && v.back().is_string()) {
    throw invalid_request(
        fmt::format("inputs[{}] is a sentence pair: this model classifies single "
                    "sentences",
                    index));
  }
  throw invalid_request(
      fmt::format("inputs[{}] must be a string (or [\"text\"]), got {}", index, v.type_name()));
}

// An optional boolean field of `object`; `name` is how the message calls it.
std::optional<bool> optional_bool(const Json& object, const char* key, std::string_view name,
                                  const char* expected) {
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) return std::nullopt;
  if (!it->is_boolean())
    throw invalid_request(fmt::format("{} must be {}, got {}", name, expected, it->type_name()));
  return it->get<bool>();
}

// A value the client sent, for a message: its JSON, cut short.
std::string excerpt(const Json& v) {
  constexpr size_t kMax = 40;
  std::string s = v.dump(-1, ' ', false, Json::error_handler_t::replace);
  if (s.size() > kMax) s = s.substr(0, kMax) + "...";
  return s;
}

Json parse_object(std::string_view body) {
  Json json;
  try {
    json = Json::parse(body);
  } catch (const Json::exception& e) {
    // nlohmann's message names the byte and what it expected (invalid UTF-8 included), or the
    // number too large for a double ("1E999": out_of_range, not parse_error).
    throw invalid_request(fmt::format("the body is not valid JSON: {}", e.what()));
  }
  if (!json.is_object())
    throw invalid_request(fmt::format("the body must be a JSON object, got {}", json.type_name()));
  return json;
}

// "inputs": one string, or a list of them (each a string or TEI's ["text"]).
PredictRequest read_inputs(const Json& json, int64_t max_inputs) {
  const auto in = json.find("inputs");
  if (in == json.end()) throw invalid_request("the body has no \"inputs\"");
  PredictRequest r;
  if (in->is_string()) {
    r.inputs.push_back(in->get<std::string>());
  } else if (in->is_array()) {
    if (in->empty()) throw invalid_request("\"inputs\" is an empty list");
    check_client_batch(in->size(), max_inputs);
    r.batched = true;
    r.inputs.reserve(in->size());
    size_t i = 0;
    for (const Json& v : *in) r.inputs.push_back(input_text(v, i++));
  } else {
    throw invalid_request(
        fmt::format("\"inputs\" must be a string or a list of strings, got {}", in->type_name()));
  }
  return r;
}

// transformers keeps dict_scores[:top_k], so 0 would answer nothing and a negative k would drop
// the last labels: neither is a useful request. More than the labels gives them all.
size_t read_top_k(const Json& v) {
  if (v.is_number_unsigned() && v.get<uint64_t>() > 0) return v.get<uint64_t>();
  throw invalid_request(
      fmt::format("parameters.top_k must be a positive integer, got {}", excerpt(v)));
}

// The values of the task's JSON schema (huggingface.js packages/tasks/src/tasks/
// common-definitions.json, ClassificationOutputTransform), which both clients' types take.
ClassificationFunction read_function(const Json& v) {
  if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    if (s == "softmax") return ClassificationFunction::kSoftmax;
    if (s == "sigmoid") return ClassificationFunction::kSigmoid;
    if (s == "none") return ClassificationFunction::kNone;
  }
  throw invalid_request(fmt::format(
      "parameters.function_to_apply must be \"softmax\", \"sigmoid\" or \"none\", got {}",
      excerpt(v)));
}

}  // namespace

std::string error_body(std::string_view message, std::string_view type) {
  // dump() with replacement: a message quoting the client's bytes must not be invalid JSON.
  return Json{{"error", message}, {"error_type", type}}.dump(-1, ' ', false,
                                                             Json::error_handler_t::replace);
}

void check_client_batch(size_t inputs, int64_t max_inputs) {
  if (static_cast<int64_t>(inputs) <= max_inputs) return;
  throw ApiError(413, "Validation",
                 fmt::format("{} inputs in one request, more than max_client_batch_size {}", inputs,
                             max_inputs));
}

PredictRequest parse_predict(std::string_view body, int64_t max_inputs) {
  const Json json = parse_object(body);
  PredictRequest r = read_inputs(json, max_inputs);
  if (optional_bool(json, "raw_scores", "\"raw_scores\"", "true or false").value_or(false)) {
    r.function_to_apply = ClassificationFunction::kNone;
  }
  r.truncate = optional_bool(json, "truncate", "\"truncate\"", "true, false or null");
  return r;
}

ClassificationFunction default_function(size_t num_labels) {
  // TextClassificationPipeline.postprocess (transformers src/transformers/pipelines/
  // text_classification.py): none for problem_type "regression", sigmoid for
  // "multi_label_classification" or num_labels == 1, else softmax. The ONNX file carries the
  // labels but not config.json's problem_type, so this is its rule for a config without one.
  return num_labels == 1 ? ClassificationFunction::kSigmoid : ClassificationFunction::kSoftmax;
}

PredictRequest parse_classification(std::string_view body, int64_t max_inputs, size_t num_labels) {
  const Json json = parse_object(body);
  PredictRequest r = read_inputs(json, max_inputs);
  // A list per input even for one string: both clients take the answer's first element
  // (huggingface.js HFInferenceTextClassificationTask.getResponse, `response?.[0]`;
  // huggingface_hub InferenceClient.text_classification, `parse_obj_as_list(response)[0]`).
  r.batched = true;
  r.function_to_apply = default_function(num_labels);
  r.truncate_hint = R"("parameters": {"truncation": true})";
  const auto params = json.find("parameters");
  if (params == json.end() || params->is_null()) return r;
  if (!params->is_object()) {
    throw invalid_request(fmt::format("parameters must be an object, got {}", params->type_name()));
  }
  // Null is the default, as huggingface_hub sends none (_providers/_common.py filter_none) and
  // the pipeline reads top_k=None as every label. Any other key is refused: the clients send none
  // (huggingface_hub's text_classification builds exactly top_k and function_to_apply), and the
  // Inference API hands it to the tokenizer, which ignores or refuses it by tokenizer type; a
  // misspelt "topk" answering with every label would go unnoticed.
  for (const auto& [key, value] : params->items()) {
    if (value.is_null()) continue;
    if (key == "top_k") {
      r.top_k = read_top_k(value);
    } else if (key == "function_to_apply") {
      r.function_to_apply = read_function(value);
    } else if (key == "truncation") {  // the tokenizer's argument, which the pipeline passes on
      r.truncate = optional_bool(*params, "truncation", "parameters.truncation", "true or false");
    } else {
      throw invalid_request(fmt::format(
          "parameters.{} is not a text-classification parameter (top_k, function_to_apply, "
          "truncation)",
          key));
    }
  }
  return r;
}

std::vector<float> apply_function(ClassificationFunction f, const std::vector<float>& softmax,
                                  const std::vector<float>& logits) {
  switch (f) {
    case ClassificationFunction::kSoftmax:
      return softmax;
    case ClassificationFunction::kNone:
      return logits;
    case ClassificationFunction::kSigmoid:
      break;
  }
  // In float, as transformers' sigmoid on float32 logits: 1 / (1 + exp(-x)), 0 or 1 at the ends.
  std::vector<float> out(logits.size());
  for (size_t i = 0; i < logits.size(); ++i) out[i] = 1.0F / (1.0F + std::exp(-logits[i]));
  return out;
}

void rank_labels(const std::vector<float>& scores, std::vector<size_t>& order) {
  order.resize(scores.size());
  std::iota(order.begin(), order.end(), size_t{0});
  // NaN breaks the comparator's strict weak order: a non-finite score sorts last.
  const auto key = [&](size_t a) {
    const float s = scores[a];
    return std::isfinite(s) ? s : -std::numeric_limits<float>::infinity();
  };
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return key(a) > key(b); });
}

std::string predictions_body(const std::vector<std::vector<float>>& scores,
                             const std::vector<std::string>& labels, bool batched, size_t top_k) {
  const size_t kept = top_k == 0 ? labels.size() : std::min(top_k, labels.size());
  std::string out;
  out.reserve(scores.size() * kept * 40 + 2);
  std::vector<size_t> order(labels.size());
  if (batched) out += '[';
  for (size_t i = 0; i < scores.size(); ++i) {
    if (i > 0) out += ',';
    rank_labels(scores[i], order);
    out += '[';
    for (size_t j = 0; j < kept; ++j) {
      // Labels come from the model's metadata; dump() quotes and escapes them.
      const float s = scores[i][order[j]];
      if (std::isfinite(s)) {
        fmt::format_to(std::back_inserter(out), "{}{{\"label\":{},\"score\":{}}}", j > 0 ? "," : "",
                       Json(labels[order[j]]).dump(), s);
      } else {  // JSON has no NaN or Infinity
        fmt::format_to(std::back_inserter(out),
                       "{}{{\"label\":{},\"score\":null,\"error\":\"the model produced a "
                       "non-finite score\"}}",
                       j > 0 ? "," : "", Json(labels[order[j]]).dump());
      }
    }
    out += ']';
  }
  if (batched) out += ']';
  return out;
}

}  // namespace cola::serve

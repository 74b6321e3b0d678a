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

ApiError invalid(const std::string& message) { return {422, "Validation", message}; }

// One input: a string, or TEI's one-element list ["text"].
std::string input_text(const Json& v, size_t index) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_array() && v.size() == 1 && v.front().is_string()) {
    return v.front().get<std::string>();
  }
  if (v.is_array() && v.size() == 2 && v.front().is_string() && v.back().is_string()) {
    throw invalid(
        fmt::format("inputs[{}] is a sentence pair: this model classifies single "
                    "sentences",
                    index));
  }
  throw invalid(
      fmt::format("inputs[{}] must be a string (or [\"text\"]), got {}", index, v.type_name()));
}

template <class T>
std::optional<T> optional_field(const Json& body, const char* key, const char* type) {
  const auto it = body.find(key);
  if (it == body.end() || it->is_null()) return std::nullopt;
  if (!it->is_boolean())
    throw invalid(fmt::format("\"{}\" must be {}, got {}", key, type, it->type_name()));
  return it->get<T>();
}

}  // namespace

std::string error_body(std::string_view message, std::string_view type) {
  // dump() with replacement: a message quoting the client's bytes must not be invalid JSON.
  return Json{{"error", message}, {"error_type", type}}.dump(-1, ' ', false,
                                                             Json::error_handler_t::replace);
}

PredictRequest parse_predict(std::string_view body, int64_t max_inputs) {
  Json json;
  try {
    json = Json::parse(body);
  } catch (const Json::exception& e) {
    // nlohmann's message names the byte and what it expected (invalid UTF-8 included), or the
    // number too large for a double ("1E999": out_of_range, not parse_error).
    throw invalid(fmt::format("the body is not valid JSON: {}", e.what()));
  }
  if (!json.is_object())
    throw invalid(fmt::format("the body must be a JSON object, got {}", json.type_name()));
  const auto in = json.find("inputs");
  if (in == json.end()) throw invalid("the body has no \"inputs\"");
  PredictRequest r;
  if (in->is_string()) {
    r.inputs.push_back(in->get<std::string>());
  } else if (in->is_array()) {
    if (in->empty()) throw invalid("\"inputs\" is an empty list");
    if (static_cast<int64_t>(in->size()) > max_inputs) {
      throw ApiError(413, "Validation",
                     fmt::format("{} inputs in one request, more than max_client_batch_size {}",
                                 in->size(), max_inputs));
    }
    r.batched = true;
    r.inputs.reserve(in->size());
    size_t i = 0;
    for (const Json& v : *in) r.inputs.push_back(input_text(v, i++));
  } else {
    throw invalid(
        fmt::format("\"inputs\" must be a string or a list of strings, got {}", in->type_name()));
  }
  r.raw_scores = optional_field<bool>(json, "raw_scores", "true or false").value_or(false);
  r.truncate = optional_field<bool>(json, "truncate", "true, false or null");
  return r;
}

std::string predictions_body(const std::vector<std::vector<float>>& scores,
                             const std::vector<std::string>& labels, bool batched) {
  std::string out;
  out.reserve(scores.size() * labels.size() * 40 + 2);
  std::vector<size_t> order(labels.size());
  if (batched) out += '[';
  for (size_t i = 0; i < scores.size(); ++i) {
    if (i > 0) out += ',';
    std::iota(order.begin(), order.end(), size_t{0});
    // NaN breaks the comparator's strict weak order: a non-finite score sorts last.
    const auto key = [&](size_t a) {
      const float s = scores[i][a];
      return std::isfinite(s) ? s : -std::numeric_limits<float>::infinity();
    };
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return key(a) > key(b); });
    out += '[';
    for (size_t j = 0; j < order.size(); ++j) {
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

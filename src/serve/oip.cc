#include "serve/oip.h"

#include <fmt/format.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <utility>

namespace cola::serve {
namespace {

using Json = nlohmann::json;

constexpr std::string_view kModelsPrefix = "/v2/models/";
constexpr std::string_view kInput = "text";
constexpr std::string_view kScores = "scores";
constexpr std::string_view kLabel = "label";

// inference_rest.md: "A failed inference request must be indicated by an HTTP error status
// (typically 400)", where /predict answers 422.
ApiError bad(const std::string& message) { return {400, "Validation", message}; }

std::string dump(const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace); }

std::vector<std::string_view> split_path(std::string_view rest) {
  std::vector<std::string_view> parts;
  size_t at = 0;
  while (at <= rest.size()) {
    const size_t slash = std::min(rest.find('/', at), rest.size());
    parts.push_back(rest.substr(at, slash - at));
    at = slash + 1;
  }
  return parts;
}

// "Tensor elements may be presented in their natural multi-dimensional representation, or as a
// flattened one-dimensional representation" (inference_rest.md, Tensor Data): the strings in
// row-major order, however nested. Iterative, so a deeply nested body cannot exhaust the stack.
std::vector<std::string> flatten_strings(const Json& data) {
  std::vector<std::string> out;
  std::vector<std::pair<const Json*, size_t>> stack = {{&data, 0}};
  while (!stack.empty()) {
    auto& [array, next] = stack.back();
    if (next == array->size()) {
      stack.pop_back();
      continue;
    }
    const Json& v = (*array)[next++];
    if (v.is_array()) {
      stack.emplace_back(&v, 0);
    } else if (v.is_string()) {
      out.push_back(v.get<std::string>());
    } else {
      throw bad(fmt::format("inputs[0].data[{}] must be a string (BYTES), got {}", out.size(),
                            v.type_name()));
    }
  }
  return out;
}

// The product of "shape", which must match the data's element count.
uint64_t shape_elements(const Json& shape) {
  if (!shape.is_array()) {
    throw bad(fmt::format("inputs[0].shape must be a list of integers, got {}", shape.type_name()));
  }
  // Saturates rather than overflows: no body holds 2^62 strings, so a huge shape never matches.
  constexpr uint64_t kMax = uint64_t{1} << 62;
  uint64_t n = 1;
  for (const Json& d : shape) {
    if (!d.is_number_unsigned()) {
      throw bad(fmt::format("inputs[0].shape must be a list of non-negative integers, got {}",
                            dump(shape)));
    }
    const auto size = d.get<uint64_t>();
    n = size == 0 ? 0 : (n > kMax / size ? kMax : n * size);
  }
  return n;
}

const Json& required(const Json& object, const char* key, std::string_view where) {
  const auto it = object.find(key);
  if (it == object.end()) throw bad(fmt::format("{} has no \"{}\"", where, key));
  return *it;
}

// The sentences of inputs[0], which must be the "text" BYTES tensor.
std::vector<std::string> read_text(const Json& json, int64_t max_inputs) {
  const Json& inputs = required(json, "inputs", "the body");
  if (!inputs.is_array() || inputs.size() != 1) {
    throw bad(fmt::format("inputs must be a list of one tensor, \"{}\"; got {}", kInput,
                          inputs.is_array() ? fmt::format("{} tensors", inputs.size())
                                            : std::string(inputs.type_name())));
  }
  const Json& input = inputs[0];
  if (!input.is_object()) {
    throw bad(fmt::format("inputs[0] must be an object, got {}", input.type_name()));
  }
  const Json& name = required(input, "name", "inputs[0]");
  if (!name.is_string() || name.get_ref<const std::string&>() != kInput) {
    throw bad(fmt::format("inputs[0].name must be \"{}\", got {}", kInput, dump(name)));
  }
  const Json& datatype = required(input, "datatype", "inputs[0]");
  if (!datatype.is_string() || datatype.get_ref<const std::string&>() != "BYTES") {
    throw bad(fmt::format("inputs[0].datatype must be BYTES, got {}",
                          datatype.is_string() ? datatype.get<std::string>() : dump(datatype)));
  }
  const uint64_t elements = shape_elements(required(input, "shape", "inputs[0]"));
  const Json& data = required(input, "data", "inputs[0]");
  if (!data.is_array()) {
    throw bad(fmt::format("inputs[0].data must be a list of strings, got {}", data.type_name()));
  }
  std::vector<std::string> text = flatten_strings(data);
  if (elements != text.size()) {
    throw bad(fmt::format("inputs[0].shape {} holds {} elements, but inputs[0].data has {}",
                          dump(input["shape"]), elements, text.size()));
  }
  if (text.empty()) throw bad("inputs[0].data has no sentences");
  check_client_batch(text.size(), max_inputs);
  // inputs[0].parameters is not read: MLServer's clients send {"content_type": "str"}, which is
  // what BYTES of UTF-8 text is here anyway.
  return text;
}

// "parameters": server-specific (inference_rest.md, Parameters); these are /predict's. Any other
// is refused, so that a misspelt "raw_score" does not answer probabilities unnoticed.
void read_parameters(const Json& json, PredictRequest& r) {
  const auto params = json.find("parameters");
  if (params == json.end() || params->is_null()) return;
  if (!params->is_object()) {
    throw bad(fmt::format("parameters must be an object, got {}", params->type_name()));
  }
  for (const auto& [key, value] : params->items()) {
    if (key != "raw_scores" && key != "truncate") {
      throw bad(fmt::format("parameters.{} is not a parameter of this model (raw_scores, truncate)",
                            key));
    }
    if (value.is_null()) continue;
    if (!value.is_boolean()) {
      throw bad(fmt::format("parameters.{} must be true or false, got {}", key, value.type_name()));
    }
    if (key == "raw_scores") {
      r.function_to_apply =
          value.get<bool>() ? ClassificationFunction::kNone : ClassificationFunction::kSoftmax;
    } else {
      r.truncate = value.get<bool>();
    }
  }
}

// "outputs": which of the two to answer; absent or empty, both. An output's own "parameters"
// (tritonclient's binary_data) are not read: the answer is always JSON, which its client reads.
void read_outputs(const Json& json, OipInferRequest& r) {
  const auto outputs = json.find("outputs");
  if (outputs == json.end() || outputs->is_null()) return;
  if (!outputs->is_array()) {
    throw bad(fmt::format("outputs must be a list, got {}", outputs->type_name()));
  }
  if (outputs->empty()) return;
  r.want_scores = r.want_label = false;
  for (size_t i = 0; i < outputs->size(); ++i) {
    const Json& o = (*outputs)[i];
    const auto name = o.is_object() ? o.find("name") : o.end();
    const std::string_view given = o.is_object() && name != o.end() && name->is_string()
                                       ? name->get_ref<const std::string&>()
                                       : std::string_view();
    if (given != kScores && given != kLabel) {
      throw bad(fmt::format("outputs[{}].name must be \"{}\" or \"{}\", got {}", i, kScores, kLabel,
                            o.is_object() && name != o.end() ? dump(*name) : dump(o)));
    }
    (given == kScores ? r.want_scores : r.want_label) = true;
  }
}

}  // namespace

std::optional<OipModelPath> parse_oip_model_path(std::string_view path) {
  if (!path.starts_with(kModelsPrefix)) return std::nullopt;
  const auto parts = split_path(path.substr(kModelsPrefix.size()));
  for (const auto& p : parts) {
    if (p.empty()) return std::nullopt;
  }
  OipModelPath out;
  out.name = std::string(parts[0]);
  size_t at = 1;
  if (parts.size() >= 3 && parts[1] == "versions") {
    out.version = std::string(parts[2]);
    at = 3;
  }
  if (at == parts.size()) {
    out.route = kOipModelRoute;
    return out;
  }
  if (at + 1 != parts.size()) return std::nullopt;
  if (parts[at] == "ready") {
    out.kind = OipModelPath::Kind::kReady;
    out.route = kOipModelReadyRoute;
  } else if (parts[at] == "infer") {
    out.kind = OipModelPath::Kind::kInfer;
    out.route = kOipInferRoute;
  } else {
    return std::nullopt;
  }
  return out;
}

void check_oip_model(const OipModelPath& path, const OipModel& model) {
  if (path.name != model.name) {
    throw ApiError(
        404, "NotFound",
        fmt::format("no model \"{}\" (this server serves \"{}\")", path.name, model.name));
  }
  if (path.version && *path.version != model.version) {
    throw ApiError(404, "NotFound",
                   fmt::format("model \"{}\" has no version \"{}\" (its version: \"{}\")",
                               model.name, *path.version, model.version));
  }
}

OipInferRequest parse_oip_infer(std::string_view body, int64_t max_inputs) {
  Json json;
  try {
    json = Json::parse(body);
  } catch (const Json::exception& e) {
    throw bad(fmt::format("the body is not valid JSON: {}", e.what()));
  }
  if (!json.is_object()) {
    throw bad(fmt::format("the body must be a JSON object, got {}", json.type_name()));
  }
  OipInferRequest r;
  if (const auto id = json.find("id"); id != json.end() && !id->is_null()) {
    if (!id->is_string()) throw bad(fmt::format("id must be a string, got {}", id->type_name()));
    r.id = id->get<std::string>();
  }
  r.predict.inputs = read_text(json, max_inputs);
  r.predict.batched = true;
  r.predict.truncate_hint = R"("parameters": {"truncate": true})";
  read_parameters(json, r.predict);
  read_outputs(json, r);
  return r;
}

std::string oip_infer_body(const OipInferRequest& request, const OipModel& model,
                           const std::vector<std::vector<float>>& scores) {
  const size_t n = scores.size();
  const size_t columns = model.labels.size();
  std::string out =
      fmt::format(R"({{"model_name":{},"model_version":{})", dump(model.name), dump(model.version));
  if (request.id) fmt::format_to(std::back_inserter(out), R"(,"id":{})", dump(*request.id));
  out += R"(,"outputs":[)";
  if (request.want_scores) {
    fmt::format_to(std::back_inserter(out),
                   R"({{"name":"{}","datatype":"FP32","shape":[{},{}],"data":[)", kScores, n,
                   columns);
    for (size_t i = 0; i < n; ++i) {
      for (size_t j = 0; j < columns; ++j) {
        // The float's shortest form, as /predict writes it, so both give the same numbers; JSON
        // has no NaN or Infinity.
        const float s = scores[i][j];
        if (i + j > 0) out += ',';
        if (std::isfinite(s)) {
          fmt::format_to(std::back_inserter(out), "{}", s);
        } else {
          out += "null";
        }
      }
    }
    out += "]}";
  }
  if (request.want_label) {
    if (request.want_scores) out += ',';
    fmt::format_to(std::back_inserter(out), R"({{"name":"{}","datatype":"BYTES","shape":[{}],)",
                   kLabel, n);
    Json labels = Json::array();
    std::vector<size_t> order;
    for (const auto& row : scores) {
      rank_labels(row, order);
      labels.push_back(model.labels[order[0]]);
    }
    out += R"("data":)" + dump(labels) + "}";
  }
  return out + "]}";
}

std::string oip_server_metadata(std::string_view version) {
  return dump({{"name", "cola"}, {"version", std::string(version)}, {"extensions", Json::array()}});
}

std::string oip_model_metadata(const OipModel& model) {
  const auto labels = static_cast<int64_t>(model.labels.size());
  Json parameters = {{"num_labels", labels}};
  for (size_t i = 0; i < model.labels.size(); ++i) {
    parameters[fmt::format("id2label.{}", i)] = model.labels[i];
  }
  const auto tensor = [](std::string_view name, const char* datatype, Json shape) {
    return Json{{"name", std::string(name)}, {"datatype", datatype}, {"shape", std::move(shape)}};
  };
  // The spec's list of platforms has "onnx_onnxv1"; Triton reports its ONNX Runtime backend as
  // "onnxruntime_onnx", which is what clients written against Triton look for.
  return dump({{"name", model.name},
               {"versions", Json::array({model.version})},
               {"platform", "onnxruntime_onnx"},
               {"inputs", Json::array({tensor(kInput, "BYTES", Json::array({-1}))})},
               {"outputs", Json::array({tensor(kScores, "FP32", Json::array({-1, labels})),
                                        tensor(kLabel, "BYTES", Json::array({-1}))})},
               {"parameters", parameters}});
}

std::string oip_error_body(std::string_view message) {
  return dump({{"error", std::string(message)}});
}

}  // namespace cola::serve

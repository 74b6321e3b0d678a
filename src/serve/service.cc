#include "serve/service.h"

#include <fmt/format.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "core/error.h"
#include "core/log.h"
#include "serve/api.h"
#include "serve/page.h"
#include "serve/sagemaker.h"

namespace cola::serve {
namespace {

using core::seconds_since;
using Json = nlohmann::json;

Response json_response(int status, std::string body) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

Response error_response(const ApiError& e) {
  Response r = json_response(e.status, error_body(e.what(), e.type));
  r.error = e.what();
  if (e.status == 429) r.headers.emplace_back("Retry-After", "1");
  return r;
}

// The Open Inference Protocol's routes answer its own error object, {"error": ...}, and a bad
// request as 400, where /predict says 422 (inference_rest.md, Inference Response JSON Error
// Object: "typically 400").
bool speaks_oip(std::string_view path) { return path == "/v2" || path.starts_with("/v2/"); }

void to_oip_error(Response& r) {
  if (r.status == 422) r.status = 400;
  r.body = oip_error_body(r.error);
}

// Compares in time independent of where the strings differ, so a guess learns nothing from it.
bool same_secret(std::string_view a, std::string_view b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (size_t i = 0; i < a.size(); ++i) {
    diff |= static_cast<unsigned char>(a[i] ^ (i < b.size() ? b[i] : 0));
  }
  return diff == 0;
}

// The routes and the methods each takes (HEAD is GET's, answered by the transport).
struct Route {
  std::string_view path;     // the path, or its template: the metrics' `route` label
  std::string_view methods;  // for the Allow header of a 405
  bool open = false;         // a probe: answered without the API key
};
// GET / is the page; POST / the Hugging Face Inference API's task (classify). /v2: the Open
// Inference Protocol (serve/oip.h); /ping and /invocations: SageMaker's (serve/sagemaker.h).
constexpr Route kRoutes[] = {
    {"/", "GET, POST"},
    {"/predict", "GET, POST"},
    {"/health", "GET", true},
    {"/health/live", "GET", true},
    {"/health/ready", "GET", true},
    {"/info", "GET"},
    {"/metrics", "GET"},
    {"/v2", "GET"},
    {"/v2/health/live", "GET", true},
    {"/v2/health/ready", "GET", true},
    {kOipModelRoute, "GET"},
    {kOipModelReadyRoute, "GET", true},
    {kOipInferRoute, "POST"},
    {"/ping", "GET", true},
    {"/invocations", "POST"},
};

// The route whose path (or template) is `path`, or nullptr.
const Route* route_named(std::string_view path) {
  for (const auto& candidate : kRoutes) {
    if (candidate.path == path) return &candidate;
  }
  return nullptr;
}

// The route of a request's `path`, or nullptr. A model's paths take their template's, whatever
// the name, so that the metrics have one series per route.
const Route* find_route(std::string_view path) {
  if (path == "/v2/") return route_named("/v2");  // open_inference_rest.yaml spells it so
  if (const auto model = parse_oip_model_path(path)) return route_named(model->route);
  return route_named(path);
}

// Releases a request's share of max_concurrent_requests however the request ends.
class Permits {
 public:
  Permits(std::atomic<int64_t>& in_flight, int64_t n, Metrics& metrics)
      : in_flight_(in_flight), n_(n), metrics_(metrics) {}
  ~Permits() { metrics_.set_in_flight(in_flight_.fetch_sub(n_) - n_); }
  Permits(const Permits&) = delete;
  Permits& operator=(const Permits&) = delete;

 private:
  std::atomic<int64_t>& in_flight_;
  int64_t n_;
  Metrics& metrics_;
};

std::string ms(double seconds) { return fmt::format("{:.3f}", seconds * 1e3); }

// The model's quantization metadata as JSON: null for fp32, the text itself where another tool
// wrote something that is not JSON (parse() would give a discarded value, which dumps as no JSON).
Json quantization_json(const std::string& metadata) {
  if (metadata.empty()) return nullptr;
  auto j = Json::parse(metadata, nullptr, false);
  return j.is_discarded() ? Json(metadata) : j;
}

std::vector<std::string> route_paths() {
  std::vector<std::string> paths;
  for (const auto& r : kRoutes) paths.emplace_back(r.path);
  return paths;
}

}  // namespace

Service::Service(const predict::Predictor& predictor, const config::ServeConfig& config,
                 ModelInfo info)
    : predictor_(predictor),
      config_(config),
      info_(std::move(info)),
      // The version is the file's sha256, cut to the 12 digits /info's page shows: an answer's
      // model_version then names the exact file that gave it, and a new file is a new version.
      oip_model_{info_.model_name, info_.sha256.substr(0, 12), predictor.labels()},
      metrics_(route_paths()),
      batcher_(predictor,
               {config.max_batch_tokens, config.max_batch_requests, config.max_queue_delay_us},
               metrics_) {}

Service::~Service() { stop(); }

void Service::warm_up() {
  const auto start = Clock::now();
  const int64_t longest = predictor_.options().max_length;
  // One short input, then a batch of the longest inputs that fits the token budget.
  const int64_t rows = std::clamp<int64_t>(config_.max_batch_tokens / longest, 1, 32);
  std::string long_text;
  for (int64_t i = 0; i < longest; ++i) long_text += "a ";
  for (const auto& texts : {std::vector<std::string>{"warm up"},
                            std::vector<std::string>(static_cast<size_t>(rows), long_text)}) {
    predictor_.predict(texts);
  }
  if (config_.split_batches) {
    const predict::BatchCost cost = predict::measure_batch_cost(predictor_);
    batcher_.set_cost(cost);
    log::info(
        "a forward pass costs {:.0f} us + {:.2f} us per padded token: batches are cut by "
        "length where that is cheaper",
        cost.per_run * 1e6, cost.per_token * 1e6);
  }
  state_ = State::kReady;
  log::info("warmed up in {:.0f} ms: ready", seconds_since(start) * 1e3);
}

void Service::begin_drain() { state_ = State::kDraining; }

void Service::stop() { batcher_.stop(); }

Response Service::handle(const Request& request) noexcept {
  const auto start = Clock::now();
  Response response;
  const Route* found = nullptr;
  try {
    found = find_route(request.path);
    if (found == nullptr) {
      throw ApiError(404, "NotFound", fmt::format("no route {}", request.path));
    }
    response = route(request, found->path);
  } catch (const ApiError& e) {
    response = error_response(e);
  } catch (const std::exception& e) {
    log::error("{} {}: {}", request.method, request.path, e.what());
    response = error_response(ApiError(500, "Backend", e.what()));
  } catch (...) {
    response = error_response(ApiError(500, "Backend", "unknown error"));
  }
  try {
    if (!response.error.empty() && speaks_oip(request.path)) to_oip_error(response);
    if (!config_.cors_allow_origin.empty()) {
      response.headers.emplace_back("Access-Control-Allow-Origin", config_.cors_allow_origin);
    }
    const double seconds = seconds_since(start);
    metrics_.request(found != nullptr ? found->path : kOtherRoute, response.status, seconds);
    log::info("{} {} {} {} inputs {:.3f} ms", request.method, request.path, response.status,
              response.inputs, seconds * 1e3);
  } catch (...) {  // logging must not turn an answer into a crash
  }
  return response;
}

Response Service::route(const Request& r, std::string_view path) {
  const Route* route = route_named(path);
  if (r.method == "OPTIONS" && !config_.cors_allow_origin.empty()) {  // a CORS preflight
    Response preflight = json_response(204, "");
    preflight.content_type.clear();
    preflight.headers = {
        {"Access-Control-Allow-Methods", std::string(route->methods)},
        // huggingface.js sets User-Agent, which a browser may send
        // (lib/makeRequestOptions.ts), so it must pass the preflight.
        {"Access-Control-Allow-Headers", "Content-Type, Authorization, User-Agent"},
        {"Access-Control-Max-Age", "86400"}};
    return preflight;
  }
  const bool allowed = route->methods.find(r.method) != std::string_view::npos;
  if (!allowed || r.method.empty()) {
    Response wrong = error_response(
        ApiError(405, "MethodNotAllowed",
                 fmt::format("{} {}: allowed: {}", r.method, r.path, route->methods)));
    wrong.headers.emplace_back("Allow", std::string(route->methods));
    return wrong;
  }
  if (!route->open && !config_.api_key.empty() &&
      !same_secret(r.authorization, "Bearer " + config_.api_key)) {
    Response denied = error_response(
        ApiError(401, "Unauthorized", "missing or wrong \"Authorization: Bearer <api key>\""));
    denied.headers.emplace_back("WWW-Authenticate", "Bearer");
    return denied;
  }
  if (speaks_oip(path)) return open_inference(r, path);
  if (path == "/health/live") return health(true);
  if (path == "/health/ready" || path == "/health" || path == "/ping") return health(false);
  if (path == "/predict") return predict(r);
  if (path == "/invocations") {
    return run_predictions(parse_invocation(r.content_type, r.body, config_.max_client_batch_size));
  }
  if (path == "/" && r.method == "POST") return classify(r);
  if (path == "/info") return info();
  if (path == "/metrics") {
    Response m = json_response(200, metrics_.render());
    m.content_type = "text/plain; version=0.0.4";
    return m;
  }
  Response page = json_response(200, std::string(index_html()));
  page.content_type = "text/html; charset=utf-8";
  return page;
}

Response Service::health(bool liveness) const {
  if (liveness) return json_response(200, R"({"status":"live"})");
  switch (state_.load()) {
    case State::kReady:
      return json_response(200, R"({"status":"ready"})");
    case State::kWarmingUp:
      return error_response(ApiError(503, "Unhealthy", "warming up"));
    case State::kDraining:
      break;
  }
  return error_response(ApiError(503, "Unhealthy", "shutting down"));
}

Response Service::info() const {
  Json id2label = Json::object();
  Json label2id = Json::object();
  const auto& labels = predictor_.labels();
  for (size_t i = 0; i < labels.size(); ++i) {
    id2label[std::to_string(i)] = labels[i];
    label2id[labels[i]] = i;
  }
  // text-embeddings-inference's field names where they apply (router/src/http/types.rs Info).
  const Json j = {
      {"model_id", info_.model_id},
      {"model_sha", info_.sha256},
      {"model_dtype", "float32"},
      {"model_type", {{"classifier", {{"id2label", id2label}, {"label2id", label2id}}}}},
      {"backend", predictor_.backend()},
      {"max_concurrent_requests", config_.max_concurrent_requests},
      {"max_input_length", predictor_.options().max_length},
      {"max_batch_tokens", config_.max_batch_tokens},
      {"max_batch_requests",
       config_.max_batch_requests > 0 ? Json(config_.max_batch_requests) : Json()},
      {"max_client_batch_size", config_.max_client_batch_size},
      {"max_queue_delay_us", config_.max_queue_delay_us},
      {"split_batches", config_.split_batches},
      {"request_timeout_s", config_.request_timeout_s},
      {"auto_truncate", config_.auto_truncate},
      {"version", info_.version},
      {"quantization", quantization_json(info_.quantization)},
      {"cpu",
       {{"model_name", info_.cpu}, {"flags", info_.cpu_flags}, {"int8_kernel", info_.int8_kernel}}},
  };
  return json_response(200, j.dump(-1, ' ', false, Json::error_handler_t::replace));
}

Response Service::predict(const Request& r) {
  if (r.method == "GET") {  // the seed workflow's app: GET /predict?text=...
    for (const auto& [key, value] : r.query) {
      if (key != "text") continue;
      PredictRequest one;
      one.inputs = {value};
      return run_predictions(std::move(one));
    }
    throw ApiError(422, "Validation", "GET /predict needs ?text=<sentence>");
  }
  return run_predictions(parse_predict(r.body, config_.max_client_batch_size));
}

// Where the official Hugging Face clients post when given an endpoint's URL: to the URL itself
// (huggingface.js packages/inference/src/providers/hf-inference.ts HFInferenceTask.makeUrl;
// huggingface_hub src/huggingface_hub/inference/_providers/hf_inference.py _prepare_url), as
// Inference Endpoints and TEI take a task at their root.
Response Service::classify(const Request& r) {
  return run_predictions(
      parse_classification(r.body, config_.max_client_batch_size, predictor_.labels().size()));
}

// The Open Inference Protocol (kserve/open-inference-protocol specification/protocol/
// inference_rest.md). Readiness answers 503 with "ready": false, as /health/ready does, so that a
// readinessProbe sees it.
Response Service::open_inference(const Request& r, std::string_view route) {
  const auto ready_body = [is_ready = ready()](Json body) {
    body["ready"] = is_ready;
    return json_response(is_ready ? 200 : 503,
                         body.dump(-1, ' ', false, Json::error_handler_t::replace));
  };
  if (route == "/v2") return json_response(200, oip_server_metadata(info_.version));
  if (route == "/v2/health/live") return json_response(200, R"({"live":true})");
  if (route == "/v2/health/ready") return ready_body(Json::object());
  const auto model = parse_oip_model_path(r.path);
  check_oip_model(*model, oip_model_);
  switch (model->kind) {
    case OipModelPath::Kind::kMetadata:
      return json_response(200, oip_model_metadata(oip_model_));
    case OipModelPath::Kind::kReady:
      return ready_body({{"name", oip_model_.name}});
    case OipModelPath::Kind::kInfer:
      break;
  }
  const OipInferRequest request = parse_oip_infer(r.body, config_.max_client_batch_size);
  std::vector<std::vector<float>> scores;
  Response response = score(request.predict, scores);
  response.body = oip_infer_body(request, oip_model_, scores);
  return response;
}

Response Service::run_predictions(const PredictRequest& request) {
  std::vector<std::vector<float>> scores;
  Response response = score(request, scores);
  response.body = predictions_body(scores, predictor_.labels(), request.batched, request.top_k);
  return response;
}

Response Service::score(const PredictRequest& request, std::vector<std::vector<float>>& scores) {
  // While draining, what still arrives on an open connection is answered: readiness already says
  // 503 and the listener is about to close, so nothing accepted goes unanswered.
  if (state_.load() == State::kWarmingUp) throw ApiError(503, "Unhealthy", "warming up");
  const auto start = Clock::now();
  const std::vector<std::string>& inputs = request.inputs;
  const bool truncate = request.truncate.value_or(config_.auto_truncate);
  const auto n = static_cast<int64_t>(inputs.size());
  const int64_t now_in_flight = in_flight_.fetch_add(n) + n;
  const Permits permits(in_flight_, n, metrics_);
  metrics_.set_in_flight(now_in_flight);
  if (now_in_flight > config_.max_concurrent_requests) {
    throw ApiError(429, "Overloaded",
                   fmt::format("{} inputs in flight, more than max_concurrent_requests {}",
                               now_in_flight, config_.max_concurrent_requests));
  }
  // Tokenized here, on the handler's thread, so the batching thread only runs the model.
  const int64_t max_length = predictor_.options().max_length;
  std::vector<text::Encoding> encodings(inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    try {
      predictor_.tokenizer().encode(inputs[i], {.max_length = max_length, .with_tokens = false},
                                    encodings[i]);
    } catch (const Error& e) {
      throw ApiError(422, "Tokenizer", fmt::format("inputs[{}]: {}", i, e.what()));
    }
    if (encodings[i].truncated && !truncate) {
      const auto full = predictor_.tokenizer().encode(inputs[i], {.max_length = 0});
      throw ApiError(422, "Validation",
                     fmt::format("inputs[{}] is {} tokens long, more than the model's {} (send "
                                 "{} to cut it)",
                                 i, full.ids.size(), max_length, request.truncate_hint));
    }
  }
  const double tokenization = seconds_since(start);
  auto job = std::make_shared<Job>(std::move(encodings));
  batcher_.submit(job);
  const auto deadline = Clock::now() + std::chrono::microseconds(
                                           static_cast<int64_t>(config_.request_timeout_s * 1e6));
  if (!job->wait(deadline)) {
    throw ApiError(
        503, "Timeout",
        fmt::format("waited {:.1f} s in the queue (request_timeout_s)", config_.request_timeout_s));
  }
  if (!job->error().empty()) throw ApiError(500, "Backend", job->error());
  scores.clear();
  scores.reserve(inputs.size());
  for (const auto& p : job->results()) {
    scores.push_back(apply_function(request.function_to_apply, p.scores, p.logits));
  }
  Response response = json_response(200, "");
  response.inputs = n;
  metrics_.request_phases(tokenization, job->queue_seconds(), job->inference_seconds());
  response.headers = {{"x-total-time", ms(seconds_since(start))},
                      {"x-tokenization-time", ms(tokenization)},
                      {"x-queue-time", ms(job->queue_seconds())},
                      {"x-inference-time", ms(job->inference_seconds())}};
  return response;
}

}  // namespace cola::serve

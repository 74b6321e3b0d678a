#pragma once
// The server's behaviour, apart from HTTP: a Request in, a Response out, for every route of the
// APIs (TEI and the Inference API: serve/api.h; KServe v2: serve/oip.h; SageMaker:
// serve/sagemaker.h), with the limits, authentication, CORS, timings and metrics around them. The
// transport (serve/http_server.h) only moves bytes, so all of this is tested without sockets.
// Handlers never throw: any failure becomes a JSON error response.
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/schema.h"
#include "predict/predictor.h"
#include "serve/api.h"
#include "serve/micro_batcher.h"
#include "serve/oip.h"
#include "serve/prometheus.h"

namespace cola::serve {

/// What /info reports about the model.
struct ModelInfo {
  std::string model_id;      // a name: the file's, or serve.model_id
  std::string model_name;    // non-empty, no '/': the {name} of /v2/models/{name}
  std::string sha256;        // of the model file
  std::string version;       // cola's
  std::string quantization;  // the model's `quantization` metadata JSON; "" for fp32
  std::string cpu;           // this machine's CPU (its brand string): where the figures come from
  std::string cpu_flags;     // CpuInfo::flags(): "avx2 avx512bw avx512_vnni"
  std::string int8_kernel;   // runtime::Int8Kernel's name
};

struct Request {
  std::string method;                                      // "GET", "POST", ...
  std::string path;                                        // "/predict"
  std::vector<std::pair<std::string, std::string>> query;  // decoded ?key=value pairs
  std::string authorization;                               // the header, or ""
  std::string content_type;                                // the header, or ""
  std::string_view body;                                   // borrowed for the call
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  int64_t inputs = 0;  // sentences predicted (for the access log)
  std::string error;   // an error answer's message, "" otherwise: for the protocols' error objects
};

class Service {
 public:
  /// Starts the batcher over `predictor` (which must outlive the service). Not ready until
  /// warm_up().
  Service(const predict::Predictor& predictor, const config::ServeConfig& config, ModelInfo info);
  ~Service();
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  /// Answers one request; never throws.
  Response handle(const Request& request) noexcept;

  /// Runs the model once at its longest input and a full batch (so that ONNX Runtime has
  /// allocated what the first requests need), then reports ready.
  void warm_up();
  /// Readiness turns 503; predictions are still answered until the transport stops accepting.
  void begin_drain();
  /// Answers everything queued, then stops the batcher (after the transport has stopped).
  void stop();

  bool ready() const { return state_.load() == State::kReady; }
  Metrics& metrics() { return metrics_; }

 private:
  enum class State { kWarmingUp, kReady, kDraining };
  Response route(const Request& request, std::string_view route);
  Response predict(const Request& request);
  Response classify(const Request& request);
  Response open_inference(const Request& request, std::string_view route);
  Response oip_infer(const Request& request);
  // Runs the request through the batcher, with the limits and time-out of every prediction route:
  // fills `scores` (per input, after its function_to_apply) and answers 200 with the timings and
  // no body yet. Throws ApiError (429, 503, 422...).
  Response score(const PredictRequest& request, std::vector<std::vector<float>>& scores);
  Response run_predictions(const PredictRequest& request);
  Response info() const;
  Response health(bool liveness) const;

  const predict::Predictor& predictor_;
  config::ServeConfig config_;
  ModelInfo info_;
  OipModel oip_model_;  // the model as /v2/models/{name} names and describes it
  Metrics metrics_;
  MicroBatcher batcher_;
  std::atomic<State> state_{State::kWarmingUp};
  std::atomic<int64_t> in_flight_{0};  // inputs accepted and not yet answered
};

}  // namespace cola::serve

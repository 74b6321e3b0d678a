// `cola serve --model model.onnx`: the model behind an HTTP API with dynamic batching
// (src/serve). ONNX Runtime only: LibTorch is never loaded. Settings come from the config's
// serve: and inference: groups, then --preset and --set, then the flags given.
#include <fmt/format.h>
#include <pthread.h>
#include <unistd.h>

#include <charconv>
#include <csignal>
#include <cstdlib>
#include <string_view>
#include <thread>

#include "app/cola/commands.h"
#include "app/cola/predictors.h"
#include "app/cola/version.h"
#include "config/schema.h"
#include "core/cpu.h"
#include "core/digest.h"
#include "core/error.h"
#include "core/log.h"
#include "runtime/onnx_predictor.h"
#include "runtime/ort_info.h"
#include "serve/http_server.h"
#include "serve/service.h"

namespace cola::app {
namespace {

struct ServeFlags {
  ModelFlags model;
  std::filesystem::path path;
  config::ServeConfig serve;  // flags write here; only those given replace the config's
};

int parse_port(const char* name, std::string_view text) {
  int port = -1;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), port);
  if (error != std::errc() || end != text.data() + text.size() || port < 1 || port > 65535) {
    throw UsageError(fmt::format("{}={} is not a port (1-65535)", name, text));
  }
  return port;
}

// The flags given on the command line replace the config's values.
void apply_flags(const ServeFlags& f, const CLI::App& cmd, config::ServeConfig& c) {
  const auto given = [&](const char* name) {
    const CLI::Option* o = cmd.get_option_no_throw(name);
    return o != nullptr && o->count() > 0;
  };
  const auto& s = f.serve;
  if (given("--host")) c.host = s.host;
  if (given("--port")) c.port = s.port;
  if (given("--max-input-length")) c.max_input_length = s.max_input_length;
  if (given("--max-batch-tokens")) c.max_batch_tokens = s.max_batch_tokens;
  if (given("--max-batch-requests")) c.max_batch_requests = s.max_batch_requests;
  if (given("--max-queue-delay-us")) c.max_queue_delay_us = s.max_queue_delay_us;
  if (given("--max-client-batch-size")) c.max_client_batch_size = s.max_client_batch_size;
  if (given("--max-concurrent-requests")) c.max_concurrent_requests = s.max_concurrent_requests;
  if (given("--payload-limit")) c.payload_limit = s.payload_limit;
  if (given("--request-timeout")) c.request_timeout_s = s.request_timeout_s;
  if (given("--shutdown-timeout")) c.shutdown_timeout_s = s.shutdown_timeout_s;
  if (given("--api-key")) c.api_key = s.api_key;
  if (given("--cors-allow-origin")) c.cors_allow_origin = s.cors_allow_origin;
  if (given("--http-threads")) c.http_threads = s.http_threads;
  if (given("--model-name")) c.model_name = s.model_name;
  // SageMaker hosting tells the container its port in this variable (and expects 8080, the
  // default, without it); a --port given on the command line still wins.
  if (const char* port = std::getenv("SAGEMAKER_BIND_TO_PORT");
      port != nullptr && !given("--port")) {
    c.port = parse_port("SAGEMAKER_BIND_TO_PORT", port);
  }
  if (c.api_key.empty()) {
    if (const char* key = std::getenv("COLA_API_KEY")) c.api_key = key;
  }
}

void check(const config::ServeConfig& c) {
  const auto positive = [](const char* name, double v) {
    if (!(v > 0)) throw UsageError(fmt::format("serve.{} must be positive, got {}", name, v));
  };
  positive("max_batch_tokens", static_cast<double>(c.max_batch_tokens));
  positive("max_client_batch_size", static_cast<double>(c.max_client_batch_size));
  positive("max_concurrent_requests", static_cast<double>(c.max_concurrent_requests));
  positive("request_timeout_s", c.request_timeout_s);
  positive("shutdown_timeout_s", c.shutdown_timeout_s);
  positive("http_threads", c.http_threads);
  positive("keep_alive_timeout_s", c.keep_alive_timeout_s);
  positive("read_timeout_s", c.read_timeout_s);
  positive("write_timeout_s", c.write_timeout_s);
  positive("request_read_timeout_s", c.request_read_timeout_s);
  if (c.port < 0 || c.port > 65535)
    throw UsageError(fmt::format("serve.port {} is not a port", c.port));
  // The name is one segment of /v2/models/{name}/...
  if (c.model_name.find('/') != std::string::npos) {
    throw UsageError(fmt::format("serve.model_name \"{}\" must not contain '/'", c.model_name));
  }
  if (c.max_batch_requests < 0 || c.max_queue_delay_us < 0 || c.max_input_length < 0) {
    throw UsageError(
        "serve.max_batch_requests, max_queue_delay_us and max_input_length must be >= 0");
  }
}

std::unique_ptr<runtime::OnnxPredictor> open_model(const ServeFlags& f,
                                                   const config::AppConfig& cfg) {
  runtime::OnnxPredictorOptions o;
  const auto& i = cfg.inference;
  o.session = {.intra_op_threads = i.threads,
               .inter_op_threads = i.inter_op_threads,
               .optimization = runtime::parse_graph_optimization(i.graph_optimization),
               .execution_mode = runtime::parse_execution_mode(i.execution_mode),
               .allow_spinning = i.allow_spinning,
               .memory_arena = i.memory_arena,
               .profile_prefix = i.profile,
               .optimized_model = i.optimized_model};
  // The batcher forms each batch; the predictor runs it in one call (or in the model's static
  // batch size), at the model's own length unless serve.max_input_length says less.
  o.predict.batch_size = int64_t{1} << 30;
  o.predict.max_length = cfg.serve.max_input_length > 0 ? cfg.serve.max_input_length
                                                        : std::numeric_limits<int64_t>::max();
  o.predict.keep_logits = true;
  o.vocab = f.model.vocab;
  o.labels = f.model.labels;
  o.lowercase = !f.model.cased;
  return runtime::OnnxPredictor::open(f.path, o);
}

void run(ServeFlags& f, const CLI::App& cmd) {
  if (!f.model.preset.empty()) {
    f.model.config.overrides.insert(f.model.config.overrides.begin(), "serve=" + f.model.preset);
  }
  auto cfg = resolve_model_flags(f.model, cmd);
  if (!cfg) return;  // --cfg printed the config
  apply_flags(f, cmd, cfg->serve);
  check(cfg->serve);
  // SIGINT/SIGTERM are blocked in every thread (ONNX Runtime's and the server's inherit the mask)
  // and taken by sigwait below, so a signal starts the drain instead of interrupting a handler.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  const auto predictor = open_model(f, *cfg);
  note_fixed_shape(f.path, *predictor, f.model);
  serve::ModelInfo info{
      .model_id = cfg->serve.model_id.empty() ? f.path.filename().string() : cfg->serve.model_id,
      .model_name = cfg->serve.model_name.empty() ? f.path.stem().string() : cfg->serve.model_name,
      .sha256 = sha256_file(f.path),
      .version = version_string(),
      .quantization = predictor->quantization(),
      .cpu = cpu_info().model_name,
      .cpu_flags = cpu_info().flags(),
      .int8_kernel = runtime::int8_kernel().label()};
  serve::Service service(*predictor, cfg->serve, std::move(info));
  serve::HttpServer http(service, cfg->serve);
  const int port = http.bind();
  fmt::print("listening on http://{}:{}\n", cfg->serve.host, port);
  std::fflush(stdout);
  http.start();
  service.warm_up();

  int sig = 0;
  sigwait(&signals, &sig);
  log::info("{}: draining (readiness 503, no new connections); finishing what was accepted",
            sig == SIGTERM ? "SIGTERM" : "SIGINT");
  service.begin_drain();
  // A drain that cannot finish must not hang the process forever.
  std::thread([timeout = cfg->serve.shutdown_timeout_s] {
    std::this_thread::sleep_for(std::chrono::duration<double>(timeout));
    log::error("shutdown took longer than serve.shutdown_timeout_s ({} s): exiting", timeout);
    std::_Exit(1);
  }).detach();
  http.stop();
  service.stop();
  log::info("stopped");
}

}  // namespace

void setup_serve(CLI::App& cmd) {
  auto f = std::make_shared<ServeFlags>();
  auto& s = f->serve;
  // The environment, for containers: SageMaker runs an image as `<image> serve` and sets no flag,
  // so the image says where its model is (deploy/Containerfile). A flag beats the variable.
  cmd.add_option("--model", f->path,
                 "the .onnx to serve (cola's export, or another with --vocab/--labels)")
      ->envname("COLA_MODEL")
      ->required();
  cmd.add_option("--host", s.host, "bind address (default 127.0.0.1; 0.0.0.0 = every interface)")
      ->envname("COLA_HOST");
  cmd.add_option("--port", s.port, "TCP port (default 8080; 0 = a free one, printed)");
  cmd.add_option("--threads", f->model.inference.threads, "ONNX Runtime intra-op threads")
      ->check(at_least(0));
  cmd.add_option("--max-input-length", s.max_input_length, "tokens per input; 0 = the model's");
  cmd.add_option("--max-batch-tokens", s.max_batch_tokens,
                 fmt::format("padded tokens per batch ({})", config::kDefaultMaxBatchTokens));
  cmd.add_option("--max-batch-requests", s.max_batch_requests, "inputs per batch; 0 = no cap");
  cmd.add_option("--max-queue-delay-us", s.max_queue_delay_us,
                 "wait this long for a batch to fill (0: never)");
  cmd.add_option("--max-client-batch-size", s.max_client_batch_size,
                 "inputs per request; more: 413 (32)");
  cmd.add_option("--max-concurrent-requests", s.max_concurrent_requests,
                 "inputs in flight; more: 429 (512)");
  cmd.add_option("--payload-limit", s.payload_limit, "request body bytes; more: 413 (2000000)");
  cmd.add_option("--request-timeout", s.request_timeout_s, "seconds in the queue; more: 503 (30)");
  cmd.add_option("--shutdown-timeout", s.shutdown_timeout_s,
                 "seconds to finish accepted requests on SIGTERM (30)");
  cmd.add_option("--api-key", s.api_key,
                 "require Authorization: Bearer KEY (also $COLA_API_KEY); /health stays open");
  cmd.add_option("--cors-allow-origin", s.cors_allow_origin, "Access-Control-Allow-Origin");
  cmd.add_option("--model-name", s.model_name,
                 "the model's name in /v2/models/{name} (default: the file's stem)");
  cmd.add_option("--http-threads", s.http_threads,
                 "connection threads (1024); a keep-alive connection holds one");
  add_model_flags(cmd, f->model, /*single_run=*/false);
  cmd.footer(
      "Unset flags take the config's serve.* and inference.* values (configs/serve, "
      "configs/inference); --preset latency|throughput selects both groups' option.");
  cmd.callback([f, &cmd] { run(*f, cmd); });
}

}  // namespace cola::app

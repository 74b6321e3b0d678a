// `cola serve --model model.onnx`: the model behind an HTTP API with dynamic batching
// (src/serve). ONNX Runtime only: LibTorch is never loaded. Settings come from the config's
// serve: and inference: groups, then --preset and --set, then the flags given.
#include <fmt/format.h>

#include <cstdlib>

#include "app/cola/commands.h"
#include "app/cola/predictors.h"
#include "app/cola/version.h"
#include "config/bind.h"
#include "config/schema.h"
#include "core/cpu.h"
#include "core/digest.h"
#include "core/error.h"
#include "runtime/onnx_predictor.h"
#include "runtime/ort_info.h"
#include "serve/http_server.h"
#include "serve/lifecycle.h"
#include "serve/sagemaker.h"
#include "serve/service.h"

namespace cola::app {
namespace {

struct ServeFlags {
  ModelFlags model;
  std::filesystem::path path;
  config::ServeConfig serve;  // flags write here; only those given replace the config's
};

// The flags given on the command line replace the config's values.
void apply_flags(const ServeFlags& f, const CLI::App& cmd, config::ServeConfig& c) {
  const auto given = [&](const char* name) { return flag_given(cmd, name); };
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
  // SageMaker's port beats the config's; a --port given on the command line beats both.
  if (const auto port = serve::sagemaker_bind_port(); port && !given("--port")) c.port = *port;
  if (c.api_key.empty()) {
    if (const char* key = std::getenv("COLA_API_KEY")) c.api_key = key;
  }
}

std::unique_ptr<runtime::OnnxPredictor> open_model(const ServeFlags& f,
                                                   const config::AppConfig& cfg) {
  runtime::OnnxPredictorOptions o = onnx_options(f.model);
  // The batcher forms each batch; the predictor runs it in one call (or in the model's static
  // batch size), at the model's own length unless serve.max_input_length says less.
  o.predict.batch_size = int64_t{1} << 30;
  o.predict.max_length = cfg.serve.max_input_length > 0 ? cfg.serve.max_input_length
                                                        : std::numeric_limits<int64_t>::max();
  o.predict.keep_logits = true;
  return runtime::OnnxPredictor::open(f.path, o);
}

void run(ServeFlags& f, const CLI::App& cmd) {
  if (!f.model.preset.empty()) {
    f.model.config.overrides.insert(f.model.config.overrides.begin(), "serve=" + f.model.preset);
  }
  auto cfg = resolve_model_flags(f.model, cmd);
  if (!cfg) return;  // --cfg printed the config
  apply_flags(f, cmd, cfg->serve);
  config::check_serve(cfg->serve);
  serve::block_stop_signals();  // before ONNX Runtime starts its threads
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
  serve::serve_until_signalled(service, http, cfg->serve.shutdown_timeout_s);
}

}  // namespace

void setup_serve(CLI::App& cmd) {
  auto f = std::make_shared<ServeFlags>();
  auto& s = f->serve;
  const config::ServeConfig d;  // the defaults, named in the help as they are in the schema
  // The environment, for containers: SageMaker runs an image as `<image> serve` and sets no flag,
  // so the image says where its model is (deploy/Containerfile). A flag beats the variable.
  cmd.add_option("--model", f->path,
                 "the .onnx to serve (cola's export, or another with --vocab/--labels)")
      ->envname("COLA_MODEL")
      ->required();
  cmd.add_option("--host", s.host,
                 fmt::format("bind address (default {}; 0.0.0.0 = every interface)", d.host))
      ->envname("COLA_HOST");
  cmd.add_option("--port", s.port,
                 fmt::format("TCP port (default {}; 0 = a free one, printed)", d.port));
  cmd.add_option("--threads", f->model.inference.threads, "ONNX Runtime intra-op threads")
      ->check(at_least(0));
  cmd.add_option("--max-input-length", s.max_input_length, "tokens per input; 0 = the model's");
  cmd.add_option("--max-batch-tokens", s.max_batch_tokens,
                 fmt::format("padded tokens per batch ({})", d.max_batch_tokens));
  cmd.add_option("--max-batch-requests", s.max_batch_requests, "inputs per batch; 0 = no cap");
  cmd.add_option("--max-queue-delay-us", s.max_queue_delay_us,
                 "wait this long for a batch to fill (0: never)");
  cmd.add_option("--max-client-batch-size", s.max_client_batch_size,
                 fmt::format("inputs per request; more: 413 ({})", d.max_client_batch_size));
  cmd.add_option("--max-concurrent-requests", s.max_concurrent_requests,
                 fmt::format("inputs in flight; more: 429 ({})", d.max_concurrent_requests));
  cmd.add_option("--payload-limit", s.payload_limit,
                 fmt::format("request body bytes; more: 413 ({})", d.payload_limit));
  cmd.add_option("--request-timeout", s.request_timeout_s,
                 fmt::format("seconds in the queue; more: 503 ({})", d.request_timeout_s));
  cmd.add_option(
      "--shutdown-timeout", s.shutdown_timeout_s,
      fmt::format("seconds to finish accepted requests on SIGTERM ({})", d.shutdown_timeout_s));
  cmd.add_option("--api-key", s.api_key,
                 "require Authorization: Bearer KEY (also $COLA_API_KEY); /health stays open");
  cmd.add_option("--cors-allow-origin", s.cors_allow_origin, "Access-Control-Allow-Origin");
  cmd.add_option("--model-name", s.model_name,
                 "the model's name in /v2/models/{name} (default: the file's stem)");
  cmd.add_option(
      "--http-threads", s.http_threads,
      fmt::format("connection threads ({}); a keep-alive connection holds one", d.http_threads));
  add_model_flags(cmd, f->model, /*single_run=*/false);
  cmd.footer(
      "Unset flags take the config's serve.* and inference.* values (configs/serve, "
      "configs/inference); --preset latency|throughput selects both groups' option.");
  cmd.callback([f, &cmd] { run(*f, cmd); });
}

}  // namespace cola::app

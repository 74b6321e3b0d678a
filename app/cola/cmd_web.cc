// `cola web --model model.onnx --output DIR [--serve]`: a static site that classifies sentences in
// the browser with the model on onnxruntime-web (src/web), and optionally a quick look at it on
// 127.0.0.1. No server does inference: any static file server can host DIR.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <pthread.h>

#include <csignal>

#include "app/cola/commands.h"
#include "core/log.h"
#include "serve/static_site.h"
#include "web/site.h"

namespace cola::app {
namespace {

struct WebFlags {
  web::SiteOptions site;
  bool serve = false;
  std::string host = "127.0.0.1";
  int port = 8000;
};

std::string megabytes(uint64_t bytes) {
  return fmt::format("{:.1f} MB", static_cast<double>(bytes) / 1e6);
}

void run(const WebFlags& f) {
  const auto site = web::write_site(f.site);
  fmt::print("wrote {} ({} in all: the model {}, the page and onnxruntime-web {})\n",
             site.dir.string(), megabytes(site.total_bytes), megabytes(site.model_bytes),
             megabytes(site.total_bytes - site.model_bytes));
  fmt::print("model sha256 {}, labels {}\n", site.model_sha256, fmt::join(site.labels, ", "));
  if (!f.serve) {
    fmt::print(
        "serve it with any static file server, or: cola web --model {} --output {} --serve\n",
        f.site.model.string(), site.dir.string());
    return;
  }
  // Blocked in every thread (the server's inherit the mask) and taken by sigwait below.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  serve::StaticSite server(site.dir);
  const int port = server.bind(f.host, f.port);
  fmt::print("serving {} on http://{}:{}/ (Ctrl-C stops)\n", site.dir.string(), f.host, port);
  std::fflush(stdout);
  server.start();
  int sig = 0;
  sigwait(&signals, &sig);
  server.stop();
  log::info("stopped");
}

}  // namespace

void setup_web(CLI::App& cmd) {
  auto f = std::make_shared<WebFlags>();
  cmd.add_option("--model", f->site.model, "the .onnx (from cola export or cola quantize)")
      ->required()
      ->check(CLI::ExistingFile);
  cmd.add_option("--output", f->site.output, "the site's directory (created; files replaced)")
      ->required();
  cmd.add_flag("--serve", f->serve, "then serve it on --host:--port until Ctrl-C");
  cmd.add_option("--host", f->host, "with --serve: bind address")->capture_default_str();
  cmd.add_option("--port", f->port, "with --serve: TCP port (0 = a free one)")
      ->capture_default_str()
      ->check(CLI::Range(0, 65535));
  cmd.footer(
      "onnxruntime-web's files come from scripts/fetch-onnxruntime-web.sh's cache, or "
      "$COLA_ORT_WEB_DIR.");
  cmd.callback([f] { run(*f); });
}

}  // namespace cola::app

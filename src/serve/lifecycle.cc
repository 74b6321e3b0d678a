#include "serve/lifecycle.h"

#include <pthread.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <thread>

#include "core/log.h"
#include "serve/http_server.h"
#include "serve/service.h"

namespace cola::serve {
namespace {

sigset_t stop_signals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  return signals;
}

}  // namespace

void block_stop_signals() {
  const sigset_t signals = stop_signals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
}

void serve_until_signalled(Service& service, HttpServer& http, double shutdown_timeout_s) {
  http.start();
  service.warm_up();

  const sigset_t signals = stop_signals();
  int sig = 0;
  sigwait(&signals, &sig);
  log::info("{}: draining (readiness 503, no new connections); finishing what was accepted",
            sig == SIGTERM ? "SIGTERM" : "SIGINT");
  service.begin_drain();
  // A drain that cannot finish must not hang the process forever.
  std::thread([shutdown_timeout_s] {
    std::this_thread::sleep_for(std::chrono::duration<double>(shutdown_timeout_s));
    log::error("shutdown took longer than serve.shutdown_timeout_s ({} s): exiting",
               shutdown_timeout_s);
    std::_Exit(1);
  }).detach();
  http.stop();
  service.stop();
  log::info("stopped");
}

}  // namespace cola::serve

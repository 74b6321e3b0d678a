#pragma once
// How `cola serve` runs and stops: SIGINT and SIGTERM start a drain (readiness 503, no new
// connections, the accepted requests answered) rather than interrupting a handler, and a drain
// that cannot finish within serve.shutdown_timeout_s ends the process (Kubernetes' grace period
// in deploy/k8s is longer than that).
namespace cola::serve {

class Service;
class HttpServer;

/// Blocks SIGINT and SIGTERM in the calling thread and so in every thread started after it (ONNX
/// Runtime's and the server's inherit the mask); serve_until_signalled takes them with sigwait.
/// Call it before the model is loaded.
void block_stop_signals();

/// Starts `http` (already bound), warms `service` up, and waits for SIGINT or SIGTERM; then drains
/// and stops both. Exits the process with status 1 when the drain takes longer than
/// `shutdown_timeout_s`.
void serve_until_signalled(Service& service, HttpServer& http, double shutdown_timeout_s);

}  // namespace cola::serve

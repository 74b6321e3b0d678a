#include "serve/http_server.h"

#include <fmt/format.h>
#include <httplib.h>
#include <sys/socket.h>

#include <atomic>
#include <thread>

#include "core/error.h"
#include "core/log.h"
#include "serve/api.h"
#include "serve/http_connection.h"

namespace cola::serve {

struct HttpServer::Impl {
  Service& service;
  config::ServeConfig config;
  DeadlineServer server;
  std::thread thread;
  std::atomic<int> socket{-1};  // the listening socket, seen in set_socket_options

  Impl(Service& s, const config::ServeConfig& c)
      : service(s),
        config(c),
        server(ConnectionTimeouts{.read_s = c.read_timeout_s,
                                  .write_s = c.write_timeout_s,
                                  .request_read_s = c.request_read_timeout_s,
                                  .keep_alive_s = c.keep_alive_timeout_s}) {}

  void handle(const httplib::Request& req, httplib::Response& res) {
    Request r;
    r.method = req.method == "HEAD" ? "GET" : req.method;
    r.path = req.path;
    for (const auto& [key, value] : req.params) r.query.emplace_back(key, value);
    r.authorization = req.get_header_value("Authorization");
    r.content_type = req.get_header_value("Content-Type");
    r.body = req.body;
    Response out = service.handle(r);
    res.status = out.status;
    for (auto& [name, value] : out.headers) res.set_header(name, value);
    if (!out.content_type.empty()) res.set_content(out.body, out.content_type);
  }

  void configure() {
    const auto threads = static_cast<size_t>(std::max(1, config.http_threads));
    server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
    server.set_keep_alive_max_count(
        static_cast<size_t>(std::max<int64_t>(1, config.keep_alive_max_count)));
    server.set_tcp_nodelay(config.tcp_nodelay);
    server.set_payload_max_length(static_cast<size_t>(std::max<int64_t>(0, config.payload_limit)));
    // Replacing httplib's socket options drops its SO_REUSEADDR: set it again, and keep the
    // socket, to raise the listen backlog once httplib has called listen() on it.
    server.set_socket_options([this](int sock) {
      const int yes = 1;
      ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
      socket = sock;
    });
    const auto handler = [this](const httplib::Request& req, httplib::Response& res) {
      handle(req, res);
    };
    server.Get(".*", handler);
    server.Post(".*", handler);
    server.Put(".*", handler);
    server.Patch(".*", handler);
    server.Delete(".*", handler);
    server.Options(".*", handler);
    // What httplib answers itself (413 over payload_limit, 400 for a malformed request line, and
    // a request that did not arrive in time, which it calls 400 too) gets the API's JSON body.
    server.set_error_handler([this](const httplib::Request& req, httplib::Response& res) {
      if (!res.body.empty()) return;
      std::string message = fmt::format("HTTP {}", res.status);
      std::string type = "Validation";
      if (DeadlineServer::request_timed_out()) {
        res.status = 408;
        message = fmt::format(
            "the request did not arrive in time (request_read_timeout_s {} s in all, "
            "read_timeout_s {} s between bytes)",
            config.request_read_timeout_s, config.read_timeout_s);
        type = "Timeout";
      } else if (res.status == 413) {
        message = fmt::format("the body is over payload_limit ({} bytes)", config.payload_limit);
        type = "PayloadTooLarge";
      }
      res.set_content(error_body(message, type), "application/json");
      service.metrics().request(req.path, res.status, 0);
      log::info("{} {} {}", req.method, req.path, res.status);
    });
  }
};

HttpServer::HttpServer(Service& service, const config::ServeConfig& config)
    : impl_(std::make_unique<Impl>(service, config)) {
  impl_->configure();
}

HttpServer::~HttpServer() { stop(); }

int HttpServer::bind() {
  const auto& c = impl_->config;
  int port = c.port;
  if (port == 0) {
    port = impl_->server.bind_to_any_port(c.host);
  } else if (!impl_->server.bind_to_port(c.host, port)) {
    port = -1;
  }
  if (port < 0) {
    throw Error(fmt::format("cannot listen on {}:{} (in use, or not an address of this host)",
                            c.host, c.port));
  }
  if (impl_->socket >= 0) ::listen(impl_->socket, std::max(1, c.listen_backlog));
  return port;
}

void HttpServer::start() {
  impl_->thread = std::thread([this] { impl_->server.listen_after_bind(); });
}

void HttpServer::stop() {
  impl_->server.stop();  // closes the listening socket; the pool finishes what it handles
  if (impl_->thread.joinable()) impl_->thread.join();
}

}  // namespace cola::serve

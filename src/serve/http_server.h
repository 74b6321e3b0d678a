#pragma once
// The HTTP transport of the server: cpp-httplib behind a pimpl (DESIGN.md practice 7), which only
// moves requests to a Service and its answers back. Debian's cpp-httplib 0.11 defaults limit a
// batching server, so each is set from the config: the connection thread pool (a keep-alive
// connection holds a thread, so its size caps concurrent clients and hence batch sizes), the
// keep-alive limits (5 requests, 5 s), Nagle (on), the listen backlog (5) and the payload limit
// (none). Its connections are read with a deadline per request (serve/http_connection.h).
#include <memory>

#include "config/schema.h"
#include "serve/service.h"

namespace cola::serve {

class HttpServer {
 public:
  /// `service` must outlive the server.
  HttpServer(Service& service, const config::ServeConfig& config);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  /// Binds host:port (port 0: a free one) and returns the port. Throws Error naming the address.
  int bind();
  /// Serves on a background thread until stop().
  void start();
  /// Stops accepting connections, lets the requests being handled finish, joins. Idempotent.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cola::serve

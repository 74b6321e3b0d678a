#pragma once
// How the server reads a connection. cpp-httplib 0.11 bounds each read (read_timeout) but not a
// request: a client that sends one byte every second never trips a 5 s read timeout, and holds a
// connection thread for as long as it likes (slowloris). DeadlineServer reads each connection
// through a stream that also bounds the whole request (its line, headers and body) by
// request_read_timeout_s, as Apache's mod_reqtimeout and nginx's client_header_timeout do, and
// closes idle keep-alive connections after keep_alive_timeout_s. Internal to src/serve: it is
// cpp-httplib's subclass, and only http_server.cc includes it.
#include <httplib.h>

namespace cola::serve {

struct ConnectionTimeouts {
  double read_s = 5;           // longest wait for the next bytes of a request
  double write_s = 5;          // longest wait for the client to take the next bytes of an answer
  double request_read_s = 30;  // a request's line, headers and body arrive within this
  double keep_alive_s = 5;     // an idle keep-alive connection closes after this
};

class DeadlineServer : public httplib::Server {
 public:
  explicit DeadlineServer(const ConnectionTimeouts& timeouts) : timeouts_(timeouts) {}

  /// Whether the request being handled on this thread ran out of request_read_s: for the error
  /// handler, which answers it with 408 instead of httplib's 400.
  static bool request_timed_out();

 private:
  bool process_and_close_socket(socket_t sock) override;

  ConnectionTimeouts timeouts_;
};

}  // namespace cola::serve

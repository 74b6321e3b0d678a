#include "serve/http_connection.h"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>

namespace cola::serve {
namespace {

using Clock = std::chrono::steady_clock;

Clock::duration seconds(double s) {
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s));
}

int to_ms(Clock::duration d) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
  return static_cast<int>(std::clamp<int64_t>(ms, 0, 1 << 30));
}

// Waits up to `ms` for `events` on `sock`. An error or hang-up counts as ready: the read or write
// that follows then reports it.
bool wait_for(int sock, short events, int ms) {
  pollfd p{sock, events, 0};
  for (;;) {
    const int n = ::poll(&p, 1, ms);
    if (n >= 0) return n > 0;
    if (errno != EINTR) return true;
  }
}

void address_of(int sock, bool peer, std::string& ip, int& port) {
  sockaddr_storage a{};
  socklen_t size = sizeof a;
  auto* sa = reinterpret_cast<sockaddr*>(&a);
  if ((peer ? ::getpeername(sock, sa, &size) : ::getsockname(sock, sa, &size)) != 0) return;
  std::array<char, NI_MAXHOST> host{};
  std::array<char, NI_MAXSERV> service{};
  if (::getnameinfo(sa, size, host.data(), host.size(), service.data(), service.size(),
                    NI_NUMERICHOST | NI_NUMERICSERV) == 0) {
    ip = host.data();
    port = std::atoi(service.data());
  }
}

// A connection's socket, read through a buffer (httplib reads request lines a byte at a time),
// with every wait for a request's bytes bounded by the per-read timeout and by the request's
// deadline.
class DeadlineStream final : public httplib::Stream {
 public:
  DeadlineStream(int sock, const ConnectionTimeouts& t) : sock_(sock), timeouts_(t) {}

  /// A request begins: all of it must arrive within request_read_s from now.
  void start_request() {
    deadline_ = Clock::now() + seconds(timeouts_.request_read_s);
    timed_out_ = false;
  }
  bool timed_out() const { return timed_out_; }
  bool has_buffered() const { return begin_ < end_; }

  bool is_readable() const override { return has_buffered() || wait_readable(); }
  bool is_writable() const override {
    return wait_for(sock_, POLLOUT, to_ms(seconds(timeouts_.write_s)));
  }

  ssize_t read(char* ptr, size_t size) override {
    if (!has_buffered()) {
      if (!wait_readable()) return -1;
      if (size >= buffer_.size()) return receive(ptr, size);  // a large body read skips the copy
      const ssize_t n = receive(buffer_.data(), buffer_.size());
      if (n <= 0) return n;
      begin_ = 0;
      end_ = static_cast<size_t>(n);
    }
    const size_t n = std::min(size, end_ - begin_);
    std::memcpy(ptr, buffer_.data() + begin_, n);
    begin_ += n;
    return static_cast<ssize_t>(n);
  }

  // What fits now, never blocking past write_s: a client that stops reading cannot hold the
  // thread (httplib calls again for the rest). MSG_NOSIGNAL: a client gone before its answer is
  // an error here, not SIGPIPE.
  ssize_t write(const char* ptr, size_t size) override {
    for (;;) {
      if (!is_writable()) return -1;
      const ssize_t n = ::send(sock_, ptr, size, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n >= 0) return n;
      if (errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK) return -1;
    }
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    address_of(sock_, true, ip, port);
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    address_of(sock_, false, ip, port);
  }
  socket_t socket() const override { return sock_; }

 private:
  bool wait_readable() const {
    const auto left = deadline_ - Clock::now();
    const auto wait = std::min(seconds(timeouts_.read_s), left);
    if (wait <= Clock::duration::zero() || !wait_for(sock_, POLLIN, to_ms(wait))) {
      timed_out_ = true;
      return false;
    }
    return true;
  }

  ssize_t receive(char* ptr, size_t size) const {
    for (;;) {
      const ssize_t n = ::recv(sock_, ptr, size, 0);
      if (n >= 0 || errno != EINTR) return n;
    }
  }

  int sock_;
  ConnectionTimeouts timeouts_;
  Clock::time_point deadline_ = Clock::time_point::max();
  mutable bool timed_out_ = false;
  std::array<char, 4096> buffer_{};
  size_t begin_ = 0;
  size_t end_ = 0;
};

thread_local const DeadlineStream* current_stream = nullptr;

}  // namespace

bool DeadlineServer::request_timed_out() {
  return current_stream != nullptr && current_stream->timed_out();
}

// httplib's own loop (process_server_socket in httplib.cc), over a DeadlineStream.
bool DeadlineServer::process_and_close_socket(socket_t sock) {
  DeadlineStream stream(sock, timeouts_);
  current_stream = &stream;
  // The next request's first bytes, or keep_alive_s of idleness; in short steps, so that stop()
  // is not kept waiting by idle connections.
  const auto next_request = [&] {
    if (stream.has_buffered()) return true;  // pipelined
    const auto until = Clock::now() + seconds(timeouts_.keep_alive_s);
    while (svr_sock_ != INVALID_SOCKET) {
      const auto left = until - Clock::now();
      if (left <= Clock::duration::zero()) return false;
      if (wait_for(sock, POLLIN, std::min(100, to_ms(left)))) return true;
    }
    return false;
  };
  bool ok = false;
  for (size_t left = keep_alive_max_count_; left > 0 && next_request(); --left) {
    stream.start_request();
    bool closed = false;
    ok = process_request(stream, left == 1, closed, nullptr);
    // After a timed-out request, what the client sends next is the rest of it, not a request.
    if (!ok || closed || stream.timed_out()) break;
  }
  current_stream = nullptr;
  ::shutdown(sock, SHUT_RDWR);
  ::close(sock);
  return ok;
}

}  // namespace cola::serve

// The server under faults, over HTTP on 127.0.0.1 (issue 15, item 7): ten thousand requests of
// which a fifth are malformed, each answered with its own status; clients that hang up in the
// middle of a request or before their answer; and clients that trickle a byte a second, which are
// dropped at request_read_timeout_s while everyone else is served.
#include <arpa/inet.h>
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <thread>

#include "server_fixture.h"

namespace cola::serve {
namespace {

using ::testing::HasSubstr;
using Json = nlohmann::json;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// A client on a bare TCP socket, for what httplib::Client will not do: stop half-way, reset the
// connection, send one byte at a time.
class RawClient {
 public:
  explicit RawClient(int port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<const sockaddr*>(&a), sizeof a) == 0;
  }
  ~RawClient() { close(); }
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  bool connected() const { return connected_; }
  bool send(std::string_view s) const {
    return ::send(fd_, s.data(), s.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(s.size());
  }
  /// Whether the server has sent something or closed within `ms`.
  bool answered_within(int ms) const {
    pollfd p{fd_, POLLIN, 0};
    return ::poll(&p, 1, ms) > 0;
  }
  /// Everything the server sends until it closes the connection (or `ms` pass).
  std::string read_all(int ms) const {
    std::string out;
    char buffer[4096];
    const auto until = Clock::now() + std::chrono::milliseconds(ms);
    while (Clock::now() < until && answered_within(100)) {
      const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
      if (n <= 0) break;
      out.append(buffer, static_cast<size_t>(n));
    }
    return out;
  }
  /// Closes with a TCP reset instead of a FIN.
  void reset() {
    const linger now{1, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &now, sizeof now);
    close();
  }
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
  bool connected_ = false;
};

std::string post(std::string_view body, int64_t content_length) {
  return fmt::format(
      "POST /predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
      "Content-Length: {}\r\n\r\n{}",
      content_length, body);
}

// One request of the mix and the status it must get.
struct Case {
  std::string kind;
  std::string body;
  int status = 200;
};

class Mix {
 public:
  Mix(const std::vector<std::string>& texts, size_t payload_limit, uint32_t seed)
      : texts_(texts), payload_limit_(payload_limit), rng_(seed) {}

  Case next() {
    if (pick(5) != 0) return valid();
    switch (pick(7)) {
      case 0: {  // random bytes: never a JSON object with string inputs
        std::string b(static_cast<size_t>(1 + pick(512)), '\0');
        for (auto& c : b) c = static_cast<char>(pick(256));
        return {"random bytes", b, 422};
      }
      case 1: {  // a valid body cut short: no proper prefix of a JSON object is JSON
        const std::string b = valid().body;
        return {"truncated JSON",
                b.substr(0, static_cast<size_t>(pick(static_cast<int>(b.size())))), 422};
      }
      case 2: {
        const char* huge[] = {R"({"inputs": 1e999999})", R"({"inputs": -1e400})",
                              R"({"inputs": "a", "raw_scores": 1e309})",
                              R"({"inputs": ["a"], "truncate": 123456789012345678901234567890})",
                              R"({"inputs": [18446744073709551616]})"};
        return {"huge number", huge[pick(5)], 422};
      }
      case 3: {  // deep nesting, closed or not, inside the inputs or as the whole body
        const size_t depth = 1000 + static_cast<size_t>(pick(28000));
        std::string b = std::string(depth, '[') + (pick(2) != 0 ? std::string(depth, ']') : "");
        if (pick(2) != 0) b = R"({"inputs": )" + b + "}";
        return {"deep nesting", b, 422};
      }
      case 4: {
        const char* bad[] = {"{\"inputs\": \"\xff\xfe\"}", "{\"inputs\": [\"ok\", \"\xc0\xaf\"]}",
                             "{\"inputs\": \"\xed\xa0\x80\"}"};
        return {"invalid UTF-8", bad[pick(3)], 422};
      }
      case 5: {
        Json many = Json::array();
        for (int i = 0; i < 33; ++i) many.push_back(texts_[0]);
        return {"too many inputs", Json{{"inputs", many}}.dump(), 413};
      }
      default:
        return {"over payload_limit",
                R"({"inputs": ")" + std::string(payload_limit_ + 1, 'a') + R"("})", 413};
    }
  }

 private:
  int pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
  Case valid() {
    const auto& text = texts_[static_cast<size_t>(pick(static_cast<int>(texts_.size())))];
    return {"valid",
            pick(4) != 0 ? Json{{"inputs", text}}.dump()
                         : Json{{"inputs", Json::array({text, texts_[0]})}}.dump(),
            200};
  }

  const std::vector<std::string>& texts_;
  size_t payload_limit_;
  std::mt19937 rng_;
};

class ServeUnderFaults : public ServerTest {};

TEST_F(ServeUnderFaults, TenThousandRequestsAFifthMalformedEachGetTheirStatus) {
  auto c = test_config();
  c.payload_limit = 65536;  // the deep nesting fits; bodies over it are cheap to send
  start(c);
  constexpr int kThreads = 8;
  constexpr int kPerThread = 1250;
  std::mutex mu;
  std::vector<std::string> wrong;
  std::map<int, int> want_by_status;
  std::vector<std::thread> clients;
  clients.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    clients.emplace_back([&, t] {
      Mix mix(texts_, static_cast<size_t>(c.payload_limit), static_cast<uint32_t>(t));
      auto client = this->client();
      std::map<int, int> want;
      for (int i = 0; i < kPerThread; ++i) {
        const Case k = mix.next();
        ++want[k.status];
        const auto r = client.Post("/predict", k.body, "application/json");
        std::string fault;
        if (!r) {
          fault = "no answer";
        } else if (r->status != k.status) {
          fault = fmt::format("status {}: {}", r->status, r->body.substr(0, 200));
        } else if (k.status == 200) {
          const auto j = Json::parse(r->body);
          const auto& one = j[0].is_array() ? j[0] : j;
          if (one.size() != 2 ||
              std::abs(one[0]["score"].get<double>() + one[1]["score"].get<double>() - 1) > 1e-5) {
            fault = "scores do not sum to 1: " + r->body;
          }
        } else if (!Json::accept(r->body) || !Json::parse(r->body).contains("error")) {
          fault = "error body is not {\"error\": ...}: " + r->body;
        }
        if (!fault.empty()) {
          const std::lock_guard lock(mu);
          wrong.push_back(fmt::format("{} (want {}): {}", k.kind, k.status, fault));
        }
      }
      const std::lock_guard lock(mu);
      for (const auto& [status, n] : want) want_by_status[status] += n;
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_THAT(wrong, ::testing::IsEmpty()) << wrong.size() << " wrong answers";
  EXPECT_NEAR(want_by_status[200], kThreads * kPerThread * 0.8, kThreads * kPerThread * 0.02);
  const auto metrics = service_->metrics().render();
  for (const auto& [status, n] : want_by_status) {
    EXPECT_THAT(metrics,
                HasSubstr(fmt::format(
                    "cola_requests_total{{route=\"/predict\",status=\"{}\"}} {}\n", status, n)))
        << "transport errors (over payload_limit) count on their route too";
  }
  EXPECT_THAT(metrics, HasSubstr("cola_requests_in_flight 0\n"));
}

TEST_F(ServeUnderFaults, ClientsHangingUpMidRequestLeaveItServing) {
  start();
  const std::string valid = Json{{"inputs", texts_[0]}}.dump();
  std::vector<std::thread> storm;
  storm.reserve(4);
  for (int t = 0; t < 4; ++t) {
    storm.emplace_back([&] {
      for (int i = 0; i < 100; ++i) {
        RawClient raw(port_);
        ASSERT_TRUE(raw.connected());
        switch (i % 4) {
          case 0:  // the body cut off: Content-Length promises more than comes
            raw.send(post(valid.substr(0, 12), 1000));
            break;
          case 1:  // half a request line
            raw.send("POST /pre");
            break;
          case 2:  // a whole request, gone before its answer
            raw.send(post(valid, static_cast<int64_t>(valid.size())));
            break;
          default:  // the same, with a reset
            raw.send(post(valid, static_cast<int64_t>(valid.size())));
            raw.reset();
            break;
        }
      }
    });
  }
  for (auto& t : storm) t.join();
  // No connection thread is left stuck: 64 clients at once (one per thread) are all answered.
  std::atomic<int> ok{0};
  std::vector<std::thread> clients;
  clients.reserve(64);
  for (int t = 0; t < 64; ++t) {
    clients.emplace_back([&, t] {
      auto client = this->client();
      client.set_read_timeout(5, 0);
      const auto& text = texts_[static_cast<size_t>(t) % texts_.size()];
      const auto r = client.Post("/predict", Json{{"inputs", text}}.dump(), "application/json");
      if (r && r->status == 200) ++ok;
    });
  }
  for (auto& t : clients) t.join();
  // Each client gives up after 5 s, so a stuck thread shows as a missing answer; no wall-clock
  // bound of its own, which a loaded 2-core machine (or ASan) could miss with nothing wrong.
  EXPECT_EQ(ok.load(), 64);
  EXPECT_THAT(service_->metrics().render(), HasSubstr("cola_requests_in_flight 0\n"));
}

TEST_F(ServeUnderFaults, ASlowClientIsDroppedAndBlocksNoOne) {
  auto c = test_config();
  c.read_timeout_s = 1.5;        // a byte a second never trips the per-read timeout...
  c.request_read_timeout_s = 2;  // ...but the request's deadline drops it
  start(c);
  const std::string body = Json{{"inputs", texts_[0]}}.dump();
  const auto trickle = [&](const std::string& head, const std::string& tail, std::string* answer,
                           double* elapsed) {
    const auto t0 = Clock::now();  // before connecting: the server's deadline starts at accept
    RawClient raw(port_);
    ASSERT_TRUE(raw.connected());
    raw.send(head);
    for (const char ch : tail) {  // one byte a second until the server answers or hangs up
      if (raw.answered_within(1000)) break;
      if (!raw.send(std::string(1, ch))) break;
    }
    *answer = raw.read_all(5000);
    *elapsed = seconds_since(t0);
  };
  std::string slow_body;
  std::string slow_line;
  double body_s = 0;
  double line_s = 0;
  std::thread body_client(trickle, post("", static_cast<int64_t>(body.size())), body, &slow_body,
                          &body_s);
  std::thread line_client(trickle, "", post(body, static_cast<int64_t>(body.size())), &slow_line,
                          &line_s);
  // Meanwhile everyone else is served at once.
  auto client = this->client();
  double worst = 0;
  int ok = 0;
  for (int i = 0; i < 40; ++i) {
    const auto t0 = Clock::now();
    const auto r = client.Post("/predict", Json{{"inputs", texts_[static_cast<size_t>(i)]}}.dump(),
                               "application/json");
    worst = std::max(worst, seconds_since(t0));
    if (r && r->status == 200) ++ok;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  body_client.join();
  line_client.join();
  EXPECT_EQ(ok, 40);
  // A request held up behind the tricklers would wait for their 2 s deadline; anything under it
  // is served independently of them, however loaded the machine.
  EXPECT_LT(worst, 1.9);
  // A slow body gets 408 with a JSON error at the deadline; a slow request line is hung up on.
  EXPECT_THAT(slow_body, HasSubstr("HTTP/1.1 408"));
  EXPECT_THAT(slow_body, HasSubstr("request_read_timeout_s"));
  EXPECT_GE(body_s, 1.9);
  EXPECT_LT(body_s, 8.0);
  EXPECT_THAT(slow_line, ::testing::Not(HasSubstr("200 OK")));
  EXPECT_GE(line_s, 1.9);
  EXPECT_LT(line_s, 8.0);
}

}  // namespace
}  // namespace cola::serve

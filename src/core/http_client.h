#pragma once
// The one HTTP client, for the Hub and `cola data download`, behind one narrow header: cpp-httplib
// appears only in http_client.cc as a client (DESIGN.md practice 7; serve/ has the server).
// Redirects are followed by the rules huggingface_hub relies on: a HEAD follows only relative
// redirects (utils/_http.py _httpx_follow_relative_redirects_with_backoff), a GET
// follows all, and the Authorization header never goes to another host (httpx drops it on a
// cross-origin redirect; file_download.py drops it before fetching a CDN location).
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.h"

namespace cola::http {

/// Header fields in order; names compare without case.
using Headers = std::vector<std::pair<std::string, std::string>>;

/// The value of the first header called `name` (any case), or nullopt.
std::optional<std::string> find_header(const Headers& headers, std::string_view name);

/// An absolute http(s) URL, split.
struct Url {
  std::string scheme;  // "http" or "https"
  std::string host;    // without brackets for IPv6
  int port = 0;        // explicit, else the scheme's default
  std::string target;  // path and query, starting with "/"

  /// Throws Error naming `text` unless it is an absolute http(s) URL.
  static Url parse(std::string_view text);
  /// "http://host:port", the port left out when it is the scheme's default.
  std::string origin() const;
  /// origin() + target.
  std::string str() const;
};

/// True when a Location value has no scheme and host ("/path" or "path"): a relative redirect.
bool is_relative(std::string_view location);
/// A Location value as an absolute URL, against the URL that answered with it.
std::string resolve(const Url& base, std::string_view location);
/// Whether credentials for `from` may go to `to`: same scheme, host and port, or the same host
/// upgraded from http to https (httpx's rule for keeping Authorization on a redirect).
bool may_share_credentials(const Url& from, const Url& to);
/// `text` percent-encoded as Python's urllib.parse.quote(text, safe=safe) does.
std::string quote(std::string_view text, std::string_view safe = "/");

/// An HTTP request that got no answer: refused, timed out, TLS failed. The Hub may be unreachable,
/// so a cached copy may serve instead.
class TransportError : public Error {
 public:
  using Error::Error;
};

enum class Redirects {
  kNone,          // return the 3xx as is
  kRelativeOnly,  // follow "Location: /path" only (HEAD on /resolve: a CDN location is data)
  kAll,           // follow every redirect (GET)
};

struct Request {
  std::string method = "GET";  // "GET" or "HEAD"
  std::string url;             // absolute
  Headers headers;
  Redirects redirects = Redirects::kAll;
  int timeout_s = 10;  // connect and read timeout, per request
};

struct Response {
  int status = 0;
  std::string url;  // the URL that gave this answer, after the redirects followed
  Headers headers;
  std::string body;  // empty when a sink took a 2xx body; else the body, capped at 64 MiB

  std::optional<std::string> header(std::string_view name) const {
    return find_header(headers, name);
  }
};

/// Receives a 2xx body chunk by chunk as it arrives; throwing stops the transfer and the
/// exception comes out of Client::send.
using BodySink = std::function<void(std::string_view chunk)>;

/// At most this many redirects per request.
constexpr int kMaxRedirects = 10;

/// Sends requests, keeping one connection per origin alive between them. Not thread-safe.
class Client {
 public:
  Client();
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  /// Sends `request`, following redirects as it asks and dropping Authorization on the way to
  /// another host. Returns any status; throws TransportError when no answer comes and Error after
  /// kMaxRedirects.
  Response send(Request request, const BodySink& sink = {});

 private:
  Response send_once(const Request& request, const Url& url, const BodySink& sink);

  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cola::http

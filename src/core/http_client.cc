#include "core/http_client.h"

#include <fmt/format.h>
#include <httplib.h>

#include <algorithm>
#include <cctype>
#include <exception>
#include <map>

namespace cola::http {
namespace {

constexpr size_t kMaxBodyInMemory = size_t{64} << 20;  // API listings and error pages only

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

int default_port(std::string_view scheme) { return scheme == "https" ? 443 : 80; }

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

std::optional<std::string> find_header(const Headers& headers, std::string_view name) {
  for (const auto& [key, value] : headers) {
    if (iequals(key, name)) return value;
  }
  return std::nullopt;
}

Url Url::parse(std::string_view text) {
  const size_t scheme_end = text.find("://");
  Url url;
  url.scheme = scheme_end == std::string_view::npos ? "" : lower(text.substr(0, scheme_end));
  if (url.scheme != "http" && url.scheme != "https") {
    throw Error(fmt::format("not an http(s) URL: '{}'", text));
  }
  const std::string_view rest = text.substr(scheme_end + 3);
  const size_t target_start = std::min(rest.find_first_of("/?#"), rest.size());
  std::string_view authority = rest.substr(0, target_start);
  std::string_view port;
  if (authority.starts_with('[')) {  // [IPv6]:port
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) throw Error(fmt::format("bad host in URL '{}'", text));
    url.host = std::string(authority.substr(1, close - 1));
    if (close + 1 < authority.size() && authority[close + 1] == ':')
      port = authority.substr(close + 2);
  } else {
    const size_t colon = authority.rfind(':');
    url.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
  }
  if (url.host.empty()) throw Error(fmt::format("no host in URL '{}'", text));
  url.port = default_port(url.scheme);
  if (!port.empty()) {
    if (!std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
        port.size() > 5) {
      throw Error(fmt::format("bad port in URL '{}'", text));
    }
    url.port = std::stoi(std::string(port));
  }
  std::string target(rest.substr(target_start));
  target = target.substr(0, target.find('#'));  // a fragment is never sent
  url.target = target.empty() || target.front() != '/' ? "/" + target : target;
  return url;
}

std::string Url::origin() const {
  const std::string host_part = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  if (port == default_port(scheme)) return fmt::format("{}://{}", scheme, host_part);
  return fmt::format("{}://{}:{}", scheme, host_part, port);
}

std::string Url::str() const { return origin() + target; }

bool is_relative(std::string_view location) {
  // urlparse(location).netloc == "": no "//host" after an optional scheme.
  const size_t colon = location.find(':');
  const size_t slash = location.find('/');
  const bool has_scheme = colon != std::string_view::npos && colon < slash;
  const std::string_view after = has_scheme ? location.substr(colon + 1) : location;
  return !after.starts_with("//");
}

std::string resolve(const Url& base, std::string_view location) {
  if (!is_relative(location)) {
    if (location.starts_with("//")) return base.scheme + ":" + std::string(location);
    return Url::parse(location).str();
  }
  if (location.starts_with('/')) return base.origin() + std::string(location);
  const std::string path = base.target.substr(0, base.target.find('?'));
  return base.origin() + path.substr(0, path.rfind('/') + 1) + std::string(location);
}

bool may_share_credentials(const Url& from, const Url& to) {
  if (!iequals(from.host, to.host)) return false;
  if (from.scheme == to.scheme) return from.port == to.port;
  return from.scheme == "http" && to.scheme == "https" && from.port == 80 && to.port == 443;
}

std::string quote(std::string_view text, std::string_view safe) {
  std::string out;
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    // urllib.parse.quote: letters, digits and "_.-~" are never quoted.
    if (std::isalnum(c) != 0 || c == '_' || c == '.' || c == '-' || c == '~' ||
        safe.find(ch) != std::string_view::npos) {
      out += ch;
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

struct Client::Impl {
  std::map<std::string, std::unique_ptr<httplib::Client>> by_origin;

  httplib::Client& client_for(const Url& url) {
    auto& client = by_origin[url.origin()];
    if (!client) {
      client = std::make_unique<httplib::Client>(url.origin());
      client->set_keep_alive(true);
      client->set_tcp_nodelay(true);       // else small requests wait ~40 ms on delayed ACKs
      client->set_follow_location(false);  // send() follows, by the rules above
      client->set_url_encode(false);       // targets arrive quoted
    }
    return *client;
  }
};

Client::Client() : impl_(std::make_unique<Impl>()) {}
Client::~Client() = default;

Response Client::send_once(const Request& request, const Url& url, const BodySink& sink) {
#ifndef CPPHTTPLIB_OPENSSL_SUPPORT
  if (url.scheme == "https") {
    throw Error(
        fmt::format("cannot fetch {}: cpp-httplib was built without HTTPS support", url.str()));
  }
#endif
  httplib::Client& client = impl_->client_for(url);
  client.set_connection_timeout(request.timeout_s);
  client.set_read_timeout(request.timeout_s);
  client.set_write_timeout(request.timeout_s);
  const httplib::Headers headers(request.headers.begin(), request.headers.end());

  Response out;
  out.url = url.str();
  std::exception_ptr sink_failure;
  bool too_large = false;
  const auto on_response = [&](const httplib::Response& r) {
    out.status = r.status;
    out.headers.assign(r.headers.begin(), r.headers.end());
    return true;
  };
  const auto on_body = [&](const char* data, size_t size) {
    if (sink && out.status / 100 == 2) {
      try {
        sink(std::string_view(data, size));
      } catch (...) {
        sink_failure = std::current_exception();
        return false;  // cancels the transfer
      }
      return true;
    }
    too_large = out.body.size() + size > kMaxBodyInMemory;
    if (too_large) return false;
    out.body.append(data, size);
    return true;
  };
  const httplib::Result result = request.method == "HEAD"
                                     ? client.Head(url.target, headers)
                                     : client.Get(url.target, headers, on_response, on_body);
  if (sink_failure) std::rethrow_exception(sink_failure);
  if (too_large) {
    throw Error(fmt::format("{} {}: answer larger than {} MiB", request.method, url.str(),
                            kMaxBodyInMemory >> 20));
  }
  if (!result) {
    const bool timeout = result.error() == httplib::Error::ConnectionTimeout ||
                         result.error() == httplib::Error::Read;
    throw TransportError(fmt::format(
        "{} {}: no answer ({}{})", request.method, url.str(), httplib::to_string(result.error()),
        timeout ? fmt::format(", timeout {} s", request.timeout_s) : ""));
  }
  if (request.method == "HEAD") {
    out.status = result->status;
    out.headers.assign(result->headers.begin(), result->headers.end());
  }
  return out;
}

Response Client::send(Request request, const BodySink& sink) {
  for (int hop = 0;; ++hop) {
    const Url url = Url::parse(request.url);
    Response response = send_once(request, url, sink);
    const auto location = response.header("Location");
    if (response.status / 100 != 3 || !location || request.redirects == Redirects::kNone ||
        (request.redirects == Redirects::kRelativeOnly && !is_relative(*location))) {
      return response;
    }
    if (hop == kMaxRedirects) {
      throw Error(
          fmt::format("{} {}: more than {} redirects", request.method, request.url, kMaxRedirects));
    }
    const std::string next = resolve(url, *location);
    if (!may_share_credentials(url, Url::parse(next))) {
      std::erase_if(request.headers,
                    [](const auto& h) { return iequals(h.first, "Authorization"); });
    }
    request.url = next;
  }
}

}  // namespace cola::http

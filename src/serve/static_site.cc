#include "serve/static_site.h"

#include <fmt/format.h>
#include <httplib.h>

#include <thread>

#include "core/error.h"
#include "core/log.h"

namespace cola::serve {

struct StaticSite::Impl {
  httplib::Server server;
  std::thread thread;
};

StaticSite::StaticSite(const std::filesystem::path& dir) : impl_(std::make_unique<Impl>()) {
  auto& s = impl_->server;
  if (!s.set_mount_point("/", dir.string())) {
    throw Error(fmt::format("{}: not a directory to serve", dir.string()));
  }
  // An ES module must come as JavaScript; the gzipped WebAssembly as plain bytes, which the page
  // inflates itself (a Content-Encoding would make the browser do it first).
  s.set_file_extension_and_mimetype_mapping("mjs", "text/javascript");
  s.set_file_extension_and_mimetype_mapping("js", "text/javascript");
  s.set_file_extension_and_mimetype_mapping("wasm", "application/wasm");
  s.set_file_extension_and_mimetype_mapping("gz", "application/octet-stream");
  s.set_file_extension_and_mimetype_mapping("onnx", "application/octet-stream");
  s.set_file_request_handler([](const httplib::Request&, httplib::Response& res) {
    res.set_header("Cache-Control", "no-cache");  // a new export shows on reload
  });
  s.set_logger([](const httplib::Request& req, const httplib::Response& res) {
    log::info("{} {} {}", req.method, req.path, res.status);
  });
}

StaticSite::~StaticSite() { stop(); }

int StaticSite::bind(const std::string& host, int port) {
  const int bound = port == 0 ? impl_->server.bind_to_any_port(host)
                              : (impl_->server.bind_to_port(host, port) ? port : -1);
  if (bound < 0) {
    throw Error(
        fmt::format("cannot listen on {}:{} (in use, or not an address of this host)", host, port));
  }
  return bound;
}

void StaticSite::start() {
  impl_->thread = std::thread([this] { impl_->server.listen_after_bind(); });
}

void StaticSite::stop() {
  impl_->server.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

}  // namespace cola::serve

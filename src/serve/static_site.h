#pragma once
// A directory over HTTP, for `cola web --serve`'s quick look at a site (and the browser tests):
// cpp-httplib behind a pimpl (DESIGN.md practice 7), with the MIME types a module page needs.
#include <filesystem>
#include <memory>
#include <string>

namespace cola::serve {

class StaticSite {
 public:
  explicit StaticSite(const std::filesystem::path& dir);
  ~StaticSite();
  StaticSite(const StaticSite&) = delete;
  StaticSite& operator=(const StaticSite&) = delete;

  /// Binds host:port (port 0: a free one) and returns the port. Throws Error naming the address.
  int bind(const std::string& host, int port);
  /// Serves on a background thread until stop().
  void start();
  /// Stops and joins. Idempotent.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cola::serve

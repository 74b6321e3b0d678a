#include "data/download.h"

#include <fmt/format.h>
#include <httplib.h>

#include "core/digest.h"
#include "core/error.h"
#include "core/file.h"
#include "core/log.h"
#include "data/zip.h"

namespace cola::data {
namespace fs = std::filesystem;

std::string http_get(std::string_view url) {
  const size_t scheme_end = url.find("://");
  constexpr size_t npos = std::string_view::npos;
  const size_t path_start = url.find('/', scheme_end == npos ? 0 : scheme_end + 3);
  if (scheme_end == npos || path_start == npos) {
    throw UsageError(fmt::format("not an http(s) URL: {}", url));
  }
#ifndef CPPHTTPLIB_OPENSSL_SUPPORT
  if (url.substr(0, scheme_end) == "https") {
    throw Error(
        fmt::format("cannot fetch {}: this cpp-httplib was built without HTTPS (OpenSSL) "
                    "support; download it by hand and unzip it",
                    url));
  }
#endif
  try {
    httplib::Client client{std::string(url.substr(0, path_start))};
    client.set_follow_location(true);  // github.io may redirect
    client.set_connection_timeout(15);
    client.set_read_timeout(60);
    const auto response = client.Get(std::string(url.substr(path_start)));
    if (!response) throw Error(httplib::to_string(response.error()) + " error");
    if (response->status != 200) throw Error(fmt::format("HTTP status {}", response->status));
    return response->body;
  } catch (...) {
    rethrow_with_context(fmt::format("downloading {}", url));
  }
}

void verify_cola_zip(std::string_view archive) {
  const std::string actual = sha256_hex(archive);
  if (archive.size() != kColaZipBytes || actual != kColaSha256) {
    throw Error(
        fmt::format("CoLA archive check failed: got {} bytes with sha256 {}, expected {} "
                    "bytes with sha256 {}",
                    archive.size(), actual, kColaZipBytes, kColaSha256));
  }
}

std::vector<fs::path> extract_cola_files(std::string_view archive, const fs::path& dir) {
  std::vector<fs::path> written;
  for (const char* name : {"in_domain_train.tsv", "in_domain_dev.tsv"}) {
    const std::string content = extract_zip_entry(archive, std::string("cola_public/raw/") + name);
    write_file_atomic(dir / name, content);
    written.push_back(dir / name);
  }
  return written;
}

std::vector<fs::path> download_cola(const fs::path& dir) {
  log::info("downloading {}", kColaUrl);
  std::string archive;
  try {
    archive = http_get(kColaUrl);
  } catch (const Error& e) {
    throw Error(
        fmt::format("{} (offline? fetch the zip elsewhere and unzip "
                    "cola_public/raw/in_domain_{{train,dev}}.tsv into {})",
                    e.what(), dir.string()));
  }
  verify_cola_zip(archive);
  return extract_cola_files(archive, dir);
}

}  // namespace cola::data

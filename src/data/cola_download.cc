#include "data/cola_download.h"

#include <fmt/format.h>

#include "core/digest.h"
#include "core/error.h"
#include "core/file.h"
#include "core/http_client.h"
#include "core/log.h"
#include "data/zip.h"

namespace cola::data {
namespace fs = std::filesystem;

std::string http_get(std::string_view url) {
  try {
    (void)http::Url::parse(url);
  } catch (const Error& e) {
    throw UsageError(e.what());
  }
  try {
    http::Client client;
    // Redirects are followed (github.io may redirect); 60 s to connect and between reads.
    const auto response = client.send({.method = "GET",
                                       .url = std::string(url),
                                       .headers = {},
                                       .redirects = http::Redirects::kAll,
                                       .timeout_s = 60});
    if (response.status != 200) throw Error(fmt::format("HTTP status {}", response.status));
    return response.body;
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

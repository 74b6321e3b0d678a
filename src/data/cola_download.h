#pragma once
// `cola data download`: the official CoLA v1.1 archive, checked against a pinned checksum, with
// the two in-domain files extracted. The corpus is not in the repository (see
// data/sample/README.md).
#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace cola::data {

/// Where the archive is served (the gh-pages branch of github.com/nyu-mll/CoLA).
inline constexpr std::string_view kColaUrl = "https://nyu-mll.github.io/CoLA/cola_public_1.1.zip";
/// Its sha256 and size, as recorded in ../shared/data/SOURCES.md.
inline constexpr std::string_view kColaSha256 =
    "2cf856f46df11c143d38e0cf2f9f34ff2fdb088c521cd859f5c4b9581683278b";
inline constexpr size_t kColaZipBytes = 255330;

/// Fetches an http:// or https:// URL, following redirects; Error with the reason otherwise.
std::string http_get(std::string_view url);

/// Throws Error unless `archive` has the pinned size and sha256.
void verify_cola_zip(std::string_view archive);

/// Writes cola_public/raw/in_domain_{train,dev}.tsv from the archive into dir (created if
/// missing, files replaced atomically); returns the paths written.
std::vector<std::filesystem::path> extract_cola_files(std::string_view archive,
                                                      const std::filesystem::path& dir);

/// http_get(kColaUrl), verify_cola_zip, extract_cola_files.
std::vector<std::filesystem::path> download_cola(const std::filesystem::path& dir);

}  // namespace cola::data

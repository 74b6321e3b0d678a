#include "track/manifest.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <set>

#include "core/digest.h"
#include "core/error.h"
#include "core/file.h"

namespace cola::track {
namespace fs = std::filesystem;
using nlohmann::json;
namespace {

constexpr const char* kFormat = "cola-manifest/1";

fs::path strip_trailing_slash(const fs::path& p) {
  const fs::path n = p.lexically_normal();
  return n.has_filename() ? n : n.parent_path();
}

// Relative paths of the regular files of a directory, sorted, so manifests diff cleanly.
std::vector<std::string> list_files(const fs::path& dir) {
  std::vector<std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) files.push_back(e.path().lexically_relative(dir).generic_string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

json file_entry(const std::string& name, const fs::path& path) {
  const auto d = core::digest_file(path, core::DigestAlgorithm::sha256);
  return {{"path", name}, {"size", d.size}, {"sha256", d.hex}};
}

std::string utc_now() {
  return fmt::format(
      "{:%Y-%m-%dT%H:%M:%SZ}",
      fmt::gmtime(std::chrono::system_clock::to_time_t(std::chrono::system_clock::now())));
}

// Where a listed file lives: inside the directory, or the artifact itself for a file manifest.
fs::path file_location(const fs::path& artifact, bool is_dir, const std::string& name) {
  return is_dir ? artifact / name : artifact;
}

}  // namespace

fs::path manifest_path_for(const fs::path& artifact) {
  fs::path p = strip_trailing_slash(artifact);
  p += ".manifest.json";
  return p;
}

fs::path write_manifest(const fs::path& artifact_in, const ManifestInfo& info) {
  const fs::path artifact = strip_trailing_slash(artifact_in);
  const bool is_dir = fs::is_directory(artifact);
  if (!is_dir && !fs::is_regular_file(artifact)) {
    throw Error(artifact.string() +
                ": no such file or directory (nothing to write a manifest for)");
  }
  json files = json::array();
  if (is_dir) {
    for (const auto& name : list_files(artifact))
      files.push_back(file_entry(name, artifact / name));
  } else {
    files.push_back(file_entry(artifact.filename().string(), artifact));
  }
  json data = json::array();
  for (const auto& f : info.data_files) data.push_back(file_entry(f.string(), f));
  const json manifest{
      {"format", kFormat},
      {"artifact", artifact.filename().string()},
      {"kind", is_dir ? "directory" : "file"},
      {"files", files},
      {"config_sha256", info.config_yaml.empty() ? "" : sha256_hex(info.config_yaml)},
      {"data", data},
      {"code_version", info.code_version},
      {"metrics", info.metrics},
      {"created", utc_now()}};
  const fs::path path = manifest_path_for(artifact);
  write_file_atomic(path, manifest.dump(2) + "\n");
  return path;
}

VerifyReport verify_manifest(const fs::path& input) {
  const fs::path given = strip_trailing_slash(input);
  VerifyReport report;
  report.manifest = given.string().ends_with(".manifest.json") ? given : manifest_path_for(given);
  if (!fs::exists(report.manifest)) {
    throw Error(fmt::format("{}: no manifest ({} does not exist)", given.string(),
                            report.manifest.string()));
  }
  json m;
  try {
    m = json::parse(read_file(report.manifest));
    if (m.at("format") != kFormat) throw Error("unknown format " + m.at("format").dump());
  } catch (const std::exception& e) {
    throw Error(fmt::format("{}: not a cola manifest: {}", report.manifest.string(), e.what()));
  }
  const fs::path artifact = report.manifest.parent_path() / m.at("artifact").get<std::string>();
  const bool is_dir = m.at("kind") == "directory";
  if (!fs::exists(artifact)) {
    report.problems.push_back(artifact.string() + ": missing");
    return report;
  }
  std::set<std::string> listed;
  for (const auto& f : m.at("files")) {
    const auto name = f.at("path").get<std::string>();
    listed.insert(name);
    const fs::path where = file_location(artifact, is_dir, name);
    if (!fs::is_regular_file(where)) {
      report.problems.push_back(where.string() + ": missing");
      continue;
    }
    const auto d = core::digest_file(where, core::DigestAlgorithm::sha256);
    ++report.files_checked;
    if (d.size != f.at("size").get<uint64_t>() || d.hex != f.at("sha256").get<std::string>()) {
      report.problems.push_back(
          fmt::format("{}: differs from the manifest ({} bytes, sha256 {}; "
                      "expected {} bytes, sha256 {})",
                      where.string(), d.size, d.hex.substr(0, 12), f.at("size").get<uint64_t>(),
                      f.at("sha256").get<std::string>().substr(0, 12)));
    }
  }
  if (is_dir) {
    for (const auto& name : list_files(artifact)) {
      if (!listed.contains(name)) {
        report.problems.push_back((artifact / name).string() + ": not in the manifest");
      }
    }
  }
  return report;
}

std::string git_describe(const fs::path& dir) {
  // popen and not a library: git is optional, and a missing git must simply mean "unknown".
  const std::string cmd =
      fmt::format("git -C '{}' describe --always --dirty --tags 2>/dev/null", dir.string());
  std::FILE* pipe = ::popen(cmd.c_str(), "r");
  if (pipe == nullptr) return "";
  std::array<char, 256> buf{};
  std::string out;
  while (std::fgets(buf.data(), static_cast<int>(buf.size()), pipe) != nullptr) out += buf.data();
  if (::pclose(pipe) != 0) return "";
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

}  // namespace cola::track

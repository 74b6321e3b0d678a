#pragma once
// Content manifests for artifacts (a checkpoint directory, an exported model file), written beside
// them as <artifact>.manifest.json:
//   {"format": "cola-manifest/1", "artifact": "best", "kind": "directory",
//    "files": [{"path": "model.safetensors", "size": 1234, "sha256": "..."}, ...],
//    "config_sha256": "...", "data": [{"path": ..., "size": ..., "sha256": ...}],
//    "code_version": "v0.1.0-12-gabc1234-dirty", "metrics": {...}, "created": "2026-..."}
// `cola verify` re-hashes the artifact and names the first file that differs.
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace cola::track {

/// What a manifest records besides the artifact's own files.
struct ManifestInfo {
  std::string config_yaml;                            // resolved config; hashed, not stored
  std::vector<std::filesystem::path> data_files;      // the files trained on
  nlohmann::json metrics = nlohmann::json::object();  // e.g. the best validation's metrics
  std::string code_version;                           // git_describe(); empty = unknown
};

/// <artifact>.manifest.json (the manifest sits beside the artifact, never inside it, so a
/// directory's listing is exactly what was trained or exported).
std::filesystem::path manifest_path_for(const std::filesystem::path& artifact);

/// Hashes `artifact` (a file, or every regular file under a directory) and writes its manifest
/// atomically; returns the manifest's path. Throws Error naming a file that cannot be read.
std::filesystem::path write_manifest(const std::filesystem::path& artifact,
                                     const ManifestInfo& info);

struct VerifyReport {
  std::filesystem::path manifest;
  size_t files_checked = 0;
  std::vector<std::string> problems;  // one line each: "<file>: <what differs>"
};

/// Checks an artifact (or a manifest path) against its manifest: every listed file present with
/// the same size and sha256, and no unlisted file in a directory. Throws Error when there is no
/// manifest or it is malformed.
VerifyReport verify_manifest(const std::filesystem::path& artifact_or_manifest);

/// `git describe --always --dirty --tags` in `dir`, or "" when git or the repository is absent.
std::string git_describe(const std::filesystem::path& dir);

}  // namespace cola::track

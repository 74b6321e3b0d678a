#pragma once
// The Hub's HTTP API, called as huggingface_hub calls it: a repo's file list at a revision
// (hf_api.py model_info: GET /api/models/{repo}/revision/{rev}), a file's metadata
// (file_download.py get_hf_file_metadata: HEAD /{repo}/resolve/{rev}/{file}) and its content
// (http_get), with HTTP errors named the way hf_raise_for_status (utils/_http.py) tells them apart.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/http_client.h"
#include "hub/repo_id.h"
#include "hub/settings.h"

namespace cola::hub {

/// An HTTP error status from the Hub.
class HubError : public Error {
 public:
  HubError(const std::string& message, int status, std::string error_code)
      : Error(message), status_(status), error_code_(std::move(error_code)) {}
  /// The HTTP status (401, 404, 500...).
  int status() const { return status_; }
  /// The Hub's X-Error-Code: "RepoNotFound", "RevisionNotFound", "EntryNotFound", "GatedRepo", or
  /// "".
  const std::string& error_code() const { return error_code_; }

 private:
  int status_;
  std::string error_code_;
};

/// What a repo holds at a revision.
struct RepoListing {
  std::string commit;              // `sha`: the commit the revision points at
  std::vector<std::string> files;  // `siblings[].rfilename`, "/"-separated
};

/// What a HEAD on /resolve/ tells about one file.
struct FileMetadata {
  std::string commit;    // X-Repo-Commit
  std::string etag;      // X-Linked-Etag (LFS: the sha256), else ETag; normalised
  uint64_t size = 0;     // X-Linked-Size, else Content-Length (bytes)
  std::string url;       // the /resolve/ URL asked (after relative redirects)
  std::string location;  // where the content is: Location (a CDN for LFS files), else `url`
};

/// _normalize_etag: `W/"abc"` and `"abc"` → `abc`.
std::string normalize_etag(std::string_view etag);

/// The Hub at settings.endpoint, with settings.token.
class HubApi {
 public:
  explicit HubApi(const Settings& settings);

  /// The commit and the files of `ref`. Throws HubError (HTTP status) or http::TransportError.
  RepoListing list(const RepoRef& ref);
  /// HEAD of `file` at `revision`, following only relative redirects.
  FileMetadata head(const std::string& repo_id, const std::string& revision,
                    const std::string& file);
  /// GETs the content `meta` points at into `sink`, following redirects; the token goes only
  /// where may_share_credentials allows (a CDN gets none).
  void download(const FileMetadata& meta, const std::string& repo_id, const std::string& file,
                const http::BodySink& sink);

  /// {endpoint}/{repo}/resolve/{revision}/{file}, quoted as hf_hub_url quotes it.
  std::string resolve_url(const std::string& repo_id, const std::string& revision,
                          const std::string& file) const;

 private:
  http::Headers headers(bool with_token) const;

  std::string endpoint_;
  std::optional<std::string> token_;
  int etag_timeout_s_;
  int download_timeout_s_;
  http::Client client_;
};

}  // namespace cola::hub

#pragma once
// A fake Hugging Face Hub for tests, on 127.0.0.1, inside the test process (no test touches the
// network). It answers as huggingface.co does for what cola asks:
//   GET  /api/models/{repo}/revision/{rev}  JSON with "sha" and "siblings[].rfilename"
//   HEAD /{repo}/resolve/{rev}/{file}       X-Repo-Commit, ETag = git blob sha1, Content-Length;
//                                           for an LFS file: 302 to the CDN, X-Linked-Etag =
//                                           sha256, X-Linked-Size
//   GET  /{repo}/resolve/{rev}/{file}       the same headers and the content (LFS: the 302)
// and errors with X-Error-Code (RepoNotFound, RevisionNotFound, EntryNotFound). LFS content comes
// from a second server, the "CDN", reached under another host name (http://localhost:P2), which
// records the Authorization header it gets: a token must never reach it.
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace cola::test {

/// The commit the fake hub reports for "main".
inline constexpr const char* kFakeCommit = "0123456789abcdef0123456789abcdef01234567";
/// The commit of the tag "v1".
inline constexpr const char* kFakeCommitV1 = "1111111111111111111111111111111111111111";

class FakeHub {
 public:
  struct Options {
    std::filesystem::path root;                     // the repo's files, read once at start
    std::string repo_id = "cola-golden/tiny-bert";  // the one repo served
    std::vector<std::string> files;                 // files of `root` in the repo; {}: all
    std::map<std::string, std::string> revisions = {{"main", kFakeCommit}, {"v1", kFakeCommitV1}};
    std::set<std::string> lfs_files = {"model.safetensors"};  // served from the CDN
    std::string cdn_host = "localhost";  // the CDN's host name in absolute redirects
  };

  /// Starts both servers on free ports.
  explicit FakeHub(Options options);
  ~FakeHub();
  FakeHub(const FakeHub&) = delete;
  FakeHub& operator=(const FakeHub&) = delete;

  /// Stops both servers (idempotent): later requests are refused.
  void stop();

  /// The hub's port and URL, http://127.0.0.1:<port> (what HF_ENDPOINT is set to).
  int port() const;
  std::string url() const;
  /// The CDN's port and URL, http://<cdn_host>:<port>.
  int cdn_port() const;
  std::string cdn_url() const;

  // Knobs; they apply from the next request on.
  /// Serves `file` with one byte flipped (same size, so only the hash can tell).
  void corrupt(const std::string& file);
  /// Serves `delta` bytes more (or fewer, if negative) of `file` than its headers announce.
  void resize(const std::string& file, int64_t delta);
  /// Answers 401 to requests without "Authorization: Bearer <token>" (nullopt: no check).
  void require_token(std::optional<std::string> token);
  /// Answers every request to the hub with `status` and X-Error-Code `error_code` (if not "");
  /// 0 turns it off.
  void fail(int status, const std::string& error_code = "");
  /// Answers requests for `old_repo_id` with a relative 307 to the repo (a renamed repo).
  void alias(const std::string& old_repo_id);

  // What the servers saw.
  /// GETs of file content: of /resolve/ on the hub and of everything on the CDN.
  int file_gets() const;
  /// HEADs of /resolve/.
  int heads() const;
  /// GETs of /api/models/.
  int api_gets() const;
  /// The Authorization header of each request to the hub, in order ("" when absent).
  std::vector<std::string> hub_authorizations() const;
  /// The Authorization header of each request to the CDN ("" when absent).
  std::vector<std::string> cdn_authorizations() const;
  /// The Accept-Encoding header of each HEAD.
  std::vector<std::string> head_accept_encodings() const;

  /// The etag the hub gives `file`: its sha256 for an LFS file, else its git blob sha1.
  std::string etag(const std::string& file) const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace cola::test

#include "hub/fake_hub.h"

#include <fmt/format.h>
#include <httplib.h>

#include <chrono>
#include <mutex>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <thread>

#include "core/digest.h"
#include "core/file.h"
#include "hub/etag.h"

namespace cola::test {
namespace fs = std::filesystem;

namespace {

struct File {
  std::string content;
  std::string sha1;    // git blob id: the ETag of a regular file
  std::string sha256;  // the X-Linked-Etag of an LFS file
};

// Starts `server` on a free port of 127.0.0.1 in its own thread; returns the port.
int start(httplib::Server& server, std::thread& thread) {
  server.set_keep_alive_timeout(1);
  server.set_tcp_nodelay(true);
  const int port = server.bind_to_any_port("127.0.0.1");
  if (port <= 0) throw std::runtime_error("fake hub: cannot bind 127.0.0.1");
  thread = std::thread([&server] { server.listen_after_bind(); });
  while (!server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return port;
}

}  // namespace

struct FakeHub::State {
  Options options;
  std::map<std::string, File> files;
  httplib::Server hub, cdn;
  std::thread hub_thread, cdn_thread;
  int hub_port = 0, cdn_port = 0;

  mutable std::mutex mutex;  // guards everything below
  std::set<std::string> corrupted;
  std::map<std::string, int64_t> resized;
  std::optional<std::string> token;
  std::set<std::string> aliases;
  int fail_status = 0;
  std::string fail_code;
  int file_gets = 0, heads = 0, api_gets = 0;
  std::vector<std::string> hub_auth, cdn_auth, head_encodings;

  // The bytes served for `name`, after the knobs.
  std::string served(const std::string& name) const {
    std::string body = files.at(name).content;
    if (corrupted.contains(name) && !body.empty()) body[body.size() / 2] ^= 0x5a;
    if (auto it = resized.find(name); it != resized.end()) {
      const auto size = static_cast<int64_t>(body.size()) + it->second;
      body.resize(static_cast<size_t>(std::max<int64_t>(size, 0)), 'x');
    }
    return body;
  }

  // The commit `revision` points at: a known branch or tag, or one of the commits itself.
  std::optional<std::string> commit_of(const std::string& revision) const {
    if (auto it = options.revisions.find(revision); it != options.revisions.end())
      return it->second;
    for (const auto& [name, commit] : options.revisions) {
      if (commit == revision) return commit;
    }
    return std::nullopt;
  }

  static void error(httplib::Response& res, int status, const std::string& code,
                    const std::string& message) {
    res.status = status;
    if (!code.empty()) res.set_header("X-Error-Code", code);
    res.set_header("X-Error-Message", message);
    res.set_content(nlohmann::json{{"error", message}}.dump(), "application/json");
  }

  // Records the request; answers (true) the failure set by fail(), or 401 when a token is
  // required and not given.
  bool refuse(const httplib::Request& req, httplib::Response& res) {
    const std::string auth = req.get_header_value("Authorization");
    hub_auth.push_back(auth);
    if (fail_status != 0) {
      error(res, fail_status, fail_code, fmt::format("Failing with {} as told", fail_status));
      return true;
    }
    if (!token || auth == "Bearer " + *token) return false;
    if (auth.empty()) {
      error(res, 401, "RepoNotFound", "Repository not found");
    } else {
      error(res, 401, "", "Invalid credentials in Authorization header");
    }
    return true;
  }

  // Answers an old name with a relative redirect to the new one.
  bool redirect_alias(const std::string& repo, const httplib::Request& req,
                      httplib::Response& res) const {
    if (!aliases.contains(repo)) return false;
    std::string path = req.path;
    path.replace(path.find(repo), repo.size(), options.repo_id);
    res.status = 307;
    res.set_header("Location", path);
    return true;
  }

  void api(const httplib::Request& req, httplib::Response& res) {
    const std::lock_guard lock(mutex);
    ++api_gets;
    const std::string repo = req.matches[1];
    const std::string revision = req.matches[2];
    if (refuse(req, res) || redirect_alias(repo, req, res)) return;
    if (repo != options.repo_id) return error(res, 404, "RepoNotFound", "Repository not found");
    const auto commit = commit_of(revision);
    if (!commit) return error(res, 404, "RevisionNotFound", "Invalid rev id: " + revision);
    nlohmann::json siblings = nlohmann::json::array();
    for (const auto& [name, file] : files) siblings.push_back({{"rfilename", name}});
    const nlohmann::json body{{"id", repo},
                              {"modelId", repo},
                              {"sha", *commit},
                              {"private", false},
                              {"siblings", siblings}};
    res.set_content(body.dump(), "application/json");
  }

  void resolve(const httplib::Request& req, httplib::Response& res) {
    const std::lock_guard lock(mutex);
    const bool head = req.method == "HEAD";
    if (head) {
      ++heads;
      head_encodings.push_back(req.get_header_value("Accept-Encoding"));
    } else {
      ++file_gets;
    }
    const std::string repo = req.matches[1];
    const std::string revision = req.matches[2];
    const std::string name = req.matches[3];
    if (refuse(req, res) || redirect_alias(repo, req, res)) return;
    if (repo != options.repo_id) return error(res, 404, "RepoNotFound", "Repository not found");
    const auto commit = commit_of(revision);
    if (!commit) return error(res, 404, "RevisionNotFound", "Invalid rev id: " + revision);
    res.set_header("X-Repo-Commit", *commit);
    const auto it = files.find(name);
    if (it == files.end()) return error(res, 404, "EntryNotFound", "Entry not found");
    const File& file = it->second;
    if (options.lfs_files.contains(name)) {
      // The Hub's answer for an LFS file: the pointer's git id as ETag, the content's sha256 and
      // size in X-Linked-*, and a signed CDN URL.
      res.set_header("ETag", fmt::format("\"{}\"", hub::git_blob_sha1("lfs pointer " + name)));
      res.set_header("X-Linked-Etag", fmt::format("\"{}\"", file.sha256));
      res.set_header("X-Linked-Size", std::to_string(file.content.size()));
      res.set_redirect(fmt::format("http://{}:{}/repos/{}?Expires=1&Signature=fake",
                                   options.cdn_host, cdn_port, file.sha256),
                       302);
      return;
    }
    res.set_header("ETag", fmt::format("\"{}\"", file.sha1));
    // A HEAD announces the true size (httplib takes Content-Length from the body and sends none).
    res.set_content(head ? file.content : served(name), "application/octet-stream");
  }

  void cdn_get(const httplib::Request& req, httplib::Response& res) {
    const std::lock_guard lock(mutex);
    ++file_gets;
    cdn_auth.push_back(req.get_header_value("Authorization"));
    for (const auto& [name, file] : files) {
      if (file.sha256 == req.matches[1]) {
        return res.set_content(served(name), "application/octet-stream");
      }
    }
    res.status = 404;
  }
};

FakeHub::FakeHub(Options options) : state_(std::make_unique<State>()) {
  State& s = *state_;
  s.options = std::move(options);
  auto names = s.options.files;
  if (names.empty()) {
    for (const auto& entry : fs::directory_iterator(s.options.root)) {
      if (entry.is_regular_file()) names.push_back(entry.path().filename().string());
    }
  }
  for (const auto& name : names) {
    File file{.content = read_file(s.options.root / name), .sha1 = "", .sha256 = ""};
    file.sha1 = hub::git_blob_sha1(file.content);
    file.sha256 = sha256_hex(file.content);
    s.files.emplace(name, std::move(file));
  }
  const auto api = [&s](const httplib::Request& req, httplib::Response& res) { s.api(req, res); };
  const auto resolve = [&s](const httplib::Request& req, httplib::Response& res) {
    s.resolve(req, res);
  };
  // httplib decodes the path before matching, and answers HEAD with the GET handler.
  s.hub.Get(R"(/api/models/([^/]+/[^/]+)/revision/(.+))", api);
  s.hub.Get(R"(/([^/]+/[^/]+)/resolve/([^/]+)/(.+))", resolve);
  s.cdn.Get(R"(/repos/([0-9a-f]{64}))",
            [&s](const httplib::Request& req, httplib::Response& res) { s.cdn_get(req, res); });
  s.hub_port = start(s.hub, s.hub_thread);
  s.cdn_port = start(s.cdn, s.cdn_thread);
}

FakeHub::~FakeHub() { stop(); }

void FakeHub::stop() {
  for (auto* server : {&state_->hub, &state_->cdn}) server->stop();
  for (auto* thread : {&state_->hub_thread, &state_->cdn_thread}) {
    if (thread->joinable()) thread->join();
  }
}

int FakeHub::port() const { return state_->hub_port; }
std::string FakeHub::url() const { return fmt::format("http://127.0.0.1:{}", port()); }
int FakeHub::cdn_port() const { return state_->cdn_port; }
std::string FakeHub::cdn_url() const {
  return fmt::format("http://{}:{}", state_->options.cdn_host, cdn_port());
}

void FakeHub::corrupt(const std::string& file) {
  const std::lock_guard lock(state_->mutex);
  state_->corrupted.insert(file);
}

void FakeHub::resize(const std::string& file, int64_t delta) {
  const std::lock_guard lock(state_->mutex);
  state_->resized[file] = delta;
}

void FakeHub::require_token(std::optional<std::string> token) {
  const std::lock_guard lock(state_->mutex);
  state_->token = std::move(token);
}

void FakeHub::fail(int status, const std::string& error_code) {
  const std::lock_guard lock(state_->mutex);
  state_->fail_status = status;
  state_->fail_code = error_code;
}

void FakeHub::alias(const std::string& old_repo_id) {
  const std::lock_guard lock(state_->mutex);
  state_->aliases.insert(old_repo_id);
}

int FakeHub::file_gets() const {
  const std::lock_guard lock(state_->mutex);
  return state_->file_gets;
}

int FakeHub::heads() const {
  const std::lock_guard lock(state_->mutex);
  return state_->heads;
}

int FakeHub::api_gets() const {
  const std::lock_guard lock(state_->mutex);
  return state_->api_gets;
}

std::vector<std::string> FakeHub::hub_authorizations() const {
  const std::lock_guard lock(state_->mutex);
  return state_->hub_auth;
}

std::vector<std::string> FakeHub::cdn_authorizations() const {
  const std::lock_guard lock(state_->mutex);
  return state_->cdn_auth;
}

std::vector<std::string> FakeHub::head_accept_encodings() const {
  const std::lock_guard lock(state_->mutex);
  return state_->head_encodings;
}

std::string FakeHub::etag(const std::string& file) const {
  const File& f = state_->files.at(file);
  return state_->options.lfs_files.contains(file) ? f.sha256 : f.sha1;
}

}  // namespace cola::test

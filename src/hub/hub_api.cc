#include "hub/hub_api.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "core/log.h"

namespace cola::hub {
namespace {

// Which request failed, for the message.
struct What {
  std::string_view repo_id;
  std::string_view revision;
  std::string_view file;  // "" for the repo listing
};

constexpr std::string_view kTokenHint =
    "give a token with access via HF_TOKEN or the token file (`huggingface-cli login`)";

// One line naming the status, the URL and what to do, after hf_raise_for_status's cases.
[[noreturn]] void throw_for_status(const http::Response& r, const What& what, bool sent_token) {
  const std::string code = r.header("X-Error-Code").value_or("");
  const std::string server_says = r.header("X-Error-Message").value_or("");
  const std::string status = fmt::format("HTTP {} for {}", r.status, r.url);
  std::string message;
  if (code == "RevisionNotFound") {
    message =
        fmt::format("revision '{}' not found in {} ({})", what.revision, what.repo_id, status);
  } else if (code == "EntryNotFound") {
    message = fmt::format("file '{}' not found in {} at '{}' ({})", what.file, what.repo_id,
                          what.revision, status);
  } else if (r.status == 401 && server_says == "Invalid credentials in Authorization header") {
    message =
        fmt::format("the Hub rejected the token ({}): check HF_TOKEN or the token file", status);
  } else if (code == "GatedRepo") {
    message = fmt::format("repo {} is gated ({}): accept its conditions on the Hub, then {}",
                          what.repo_id, status, kTokenHint);
  } else if (r.status == 401 || code == "RepoNotFound") {
    // The Hub answers 401 alike for a missing repo and for a private or gated one.
    message = fmt::format("repo {} not found, or it is private or gated ({}): {}", what.repo_id,
                          status, sent_token ? "the token sent has no access to it" : kTokenHint);
  } else if (r.status == 403) {
    message = fmt::format(
        "access to {} denied ({}{}): the repo may be gated (accept its terms on "
        "the Hub) or private; {}",
        what.repo_id, status, server_says.empty() ? "" : ": " + server_says, kTokenHint);
  } else if (r.status == 404) {
    message = what.file.empty()
                  ? fmt::format("not found ({}): check the repo {} and the revision '{}'", status,
                                what.repo_id, what.revision)
                  : fmt::format(
                        "not found ({}): check the repo {}, the revision '{}' and the "
                        "file '{}'",
                        status, what.repo_id, what.revision, what.file);
  } else {
    message = server_says.empty() ? status : fmt::format("{}: {}", status, server_says);
  }
  throw HubError(message, r.status, code);
}

uint64_t parse_size(const std::string& text, std::string_view header, const std::string& url) {
  size_t used = 0;
  try {
    const uint64_t size = std::stoull(text, &used);
    if (used == text.size()) return size;
  } catch (const std::exception&) {
  }
  throw Error(fmt::format("HEAD {}: {} is not a byte count: '{}'", url, header, text));
}

}  // namespace

std::string normalize_etag(std::string_view etag) {
  // etag.lstrip("W/").strip('"'), character for character.
  while (!etag.empty() && (etag.front() == 'W' || etag.front() == '/')) etag.remove_prefix(1);
  while (!etag.empty() && etag.front() == '"') etag.remove_prefix(1);
  while (!etag.empty() && etag.back() == '"') etag.remove_suffix(1);
  return std::string(etag);
}

HubApi::HubApi(const Settings& settings)
    : endpoint_(settings.endpoint),
      token_(settings.token),
      etag_timeout_s_(settings.etag_timeout_s),
      download_timeout_s_(settings.download_timeout_s) {}

http::Headers HubApi::headers(bool with_token) const {
  // identity: the sizes in the headers are then the sizes on disk, and hashes see raw bytes
  // (get_hf_file_metadata sets it for the same reason).
  http::Headers h{{"Accept-Encoding", "identity"}, {"User-Agent", "cola-hub/1"}};
  if (with_token && token_) h.emplace_back("Authorization", "Bearer " + *token_);
  return h;
}

std::string HubApi::resolve_url(const std::string& repo_id, const std::string& revision,
                                const std::string& file) const {
  return fmt::format("{}/{}/resolve/{}/{}", endpoint_, repo_id, http::quote(revision, ""),
                     http::quote(file));
}

RepoListing HubApi::list(const RepoRef& ref) {
  http::Request request{.method = "GET",
                        .url = fmt::format("{}/api/models/{}/revision/{}", endpoint_, ref.repo_id,
                                           http::quote(ref.revision, "")),
                        .headers = headers(true),
                        .redirects = http::Redirects::kAll,
                        .timeout_s = etag_timeout_s_};
  const http::Response r = client_.send(request);
  if (r.status != 200) throw_for_status(r, {ref.repo_id, ref.revision, ""}, token_.has_value());
  return with_context(fmt::format("GET {}: unexpected answer", r.url), [&] {
    const auto json = nlohmann::json::parse(r.body);
    RepoListing listing{.commit = json.at("sha").get<std::string>(), .files = {}};
    if (!is_commit_hash(listing.commit)) throw Error("sha is not a commit: " + listing.commit);
    for (const auto& sibling : json.at("siblings")) {
      listing.files.push_back(sibling.at("rfilename").get<std::string>());
    }
    return listing;
  });
}

FileMetadata HubApi::head(const std::string& repo_id, const std::string& revision,
                          const std::string& file) {
  http::Request request{.method = "HEAD",
                        .url = resolve_url(repo_id, revision, file),
                        .headers = headers(true),
                        .redirects = http::Redirects::kRelativeOnly,
                        .timeout_s = etag_timeout_s_};
  const http::Response r = client_.send(request);
  const bool redirect = r.status / 100 == 3;
  if (r.status != 200 && !redirect)
    throw_for_status(r, {repo_id, revision, file}, token_.has_value());
  FileMetadata meta;
  meta.url = r.url;
  meta.location = r.header("Location").value_or(r.url);
  meta.commit = r.header("X-Repo-Commit").value_or("");
  meta.etag = normalize_etag(r.header("X-Linked-Etag").value_or(r.header("ETag").value_or("")));
  // A redirect's Content-Length is the redirect's, not the file's.
  const auto size = r.header("X-Linked-Size")
                        ? r.header("X-Linked-Size")
                        : (redirect ? std::nullopt : r.header("Content-Length"));
  const auto fail = [&](std::string_view why) {
    return Error(
        fmt::format("HEAD {}: {}; is HF_ENDPOINT ({}) a Hugging Face Hub?", r.url, why, endpoint_));
  };
  if (!is_commit_hash(meta.commit)) throw fail("no X-Repo-Commit with a commit hash");
  if (meta.etag.empty()) throw fail("no ETag");
  if (!size) throw fail("no X-Linked-Size or Content-Length");
  meta.size = parse_size(*size, "size", r.url);
  return meta;
}

void HubApi::download(const FileMetadata& meta, const std::string& repo_id, const std::string& file,
                      const http::BodySink& sink) {
  const bool same_host =
      http::may_share_credentials(http::Url::parse(meta.url), http::Url::parse(meta.location));
  log::debug("hub: GET {} ({})", meta.location,
             same_host ? "with token" : "no token: another host");
  http::Request request{.method = "GET",
                        .url = meta.location,
                        .headers = headers(same_host),
                        .redirects = http::Redirects::kAll,
                        .timeout_s = download_timeout_s_};
  const http::Response r = client_.send(request, sink);
  if (r.status != 200)
    throw_for_status(r, {repo_id, meta.commit, file}, same_host && token_.has_value());
}

}  // namespace cola::hub

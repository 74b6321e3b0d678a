#include "hub/download.h"

#include <fmt/format.h>

#include <set>

#include "core/error.h"
#include "core/file.h"
#include "core/interrupt.h"
#include "core/log.h"
#include "core/strings.h"
#include "hub/cache.h"
#include "hub/etag.h"
#include "hub/hub_api.h"
#include "hub/select.h"

namespace cola::hub {
namespace fs = std::filesystem;

namespace {

// The snapshot as the cache has it, or why it cannot serve (one clause for a message).
struct Cached {
  std::optional<Snapshot> snapshot;
  std::string miss;
};

// try_to_load_from_cache's walk: refs/<revision> (or the commit itself), then the snapshot folder,
// then each file the need asks for.
Cached find_in_cache(const RepoCache& cache, const RepoRef& ref, Need need) {
  std::error_code ec;
  if (!fs::is_directory(cache.root(), ec)) {
    return {{},
            fmt::format("the repo is not in the Hub cache {} (no {})", cache.cache_dir().string(),
                        cache.root().filename().string())};
  }
  std::string commit = ref.revision;
  if (!is_commit_hash(commit)) {
    const auto from_ref = cache.read_ref(ref.revision);
    if (!from_ref) {
      return {{},
              fmt::format("revision '{}' is not in the Hub cache (no {})", ref.revision,
                          (cache.root() / "refs" / ref.revision).string())};
    }
    commit = *from_ref;
  }
  const fs::path dir = cache.snapshot_dir(commit);
  if (!fs::is_directory(dir, ec)) {
    return {{}, fmt::format("commit {} is not in the Hub cache (no {})", commit, dir.string())};
  }
  const Selection selection = select_files(
      need, [&](const std::string& name) { return cache.has_file(commit, name); },
      [&](const std::string& name) { return read_file(cache.snapshot_file(commit, name)); });
  if (!selection.missing.empty()) {
    return {{},
            fmt::format("{} not in the Hub cache {}", join(selection.missing, ", "), dir.string())};
  }
  return {Snapshot{dir, commit, selection.files}, ""};
}

// Streams one blob into the cache, checked against the etag and the size before it is renamed
// into place; on any failure the temporary file goes and nothing of this file stays.
void store_blob(HubApi& api, const RepoCache& cache, const std::string& repo_id,
                const std::string& file, const FileMetadata& meta, const Progress& progress) {
  cache.tag_cache_dir();
  IncompleteBlob blob(cache.blob(meta.etag));
  const EtagKind kind = etag_kind(meta.etag);
  ContentHasher hasher(kind, meta.size);
  uint64_t received = 0;
  if (progress) {
    progress(file, 0, meta.size);
  } else {  // a progress bar names the file itself
    log::info("hub: downloading {} ({:.1f} MB) from {}", file, static_cast<double>(meta.size) / 1e6,
              repo_id);
  }
  const auto size_error = [&](std::string_view got) {
    return Error(fmt::format("{}: size mismatch: expected {} bytes (X-Linked-Size), got {} from {}",
                             file, meta.size, got, meta.location));
  };
  api.download(meta, repo_id, file, [&](std::string_view chunk) {
    // Ctrl-C under cola's cooperative handler (core/interrupt.h) must not wait for 440 MB.
    if (interrupt_requested()) throw Error(fmt::format("{}: download interrupted", file));
    received += chunk.size();
    if (received > meta.size) throw size_error(fmt::format("more than {}", meta.size));
    hasher.update(chunk);
    blob.write(chunk);
    if (progress) progress(file, received, meta.size);
  });
  if (received != meta.size) throw size_error(std::to_string(received));
  const std::string actual = hasher.hex();
  if (kind != EtagKind::kOpaque && actual != meta.etag) {
    throw Error(fmt::format("{}: {} mismatch: expected {}, got {} from {}", file,
                            kind == EtagKind::kSha256 ? "sha256" : "git blob sha1", meta.etag,
                            actual, meta.location));
  }
  if (kind == EtagKind::kOpaque)
    log::debug("hub: {}: etag {} is no hash; size checked", file, meta.etag);
  blob.commit();
}

// An etag becomes a file name in blobs/: refuse one a hostile server could use to escape.
void check_etag(const std::string& etag, const std::string& url) {
  const bool safe = !etag.empty() && etag.front() != '.' &&
                    etag.find_first_not_of(
                        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                        "0123456789-_.") == std::string::npos;
  if (!safe) throw Error(fmt::format("HEAD {}: unusable ETag '{}'", url, etag));
}

// hf_hub_download for one file at a commit: nothing to do when the snapshot has it; a link when
// the blob is there (another file or revision brought it); else a download under the blob's lock.
void ensure_file(HubApi& api, const RepoCache& cache, const std::string& repo_id,
                 const std::string& commit, const std::string& file, const Progress& progress) {
  if (cache.has_file(commit, file)) return;
  const FileMetadata meta = api.head(repo_id, commit, file);
  check_etag(meta.etag, meta.url);
  std::error_code ec;
  if (!fs::exists(cache.blob(meta.etag), ec)) {
    const FileLock lock(cache.lock_path(meta.etag));
    if (!fs::exists(cache.blob(meta.etag), ec)) {  // a concurrent download may have finished
      store_blob(api, cache, repo_id, file, meta, progress);
    }
  }
  cache.link(commit, file, meta.etag);
}

std::string list_for_message(const std::vector<std::string>& files) {
  constexpr size_t kShown = 20;
  if (files.size() <= kShown) return files.empty() ? "no files" : join(files, ", ");
  const std::vector<std::string> head(files.begin(), files.begin() + kShown);
  return fmt::format("{}, ... ({} more)", join(head, ", "), files.size() - kShown);
}

Snapshot fetch_online(const RepoRef& repo, Need need, const Settings& settings,
                      const RepoCache& cache, const Progress& progress) {
  HubApi api(settings);
  RepoListing listing;
  try {
    listing = api.list(repo);
  } catch (const Error& e) {
    // As snapshot_download: when the Hub cannot say, a complete cached snapshot serves; a missing
    // revision is an answer, not an outage.
    const auto* hub_error = dynamic_cast<const HubError*>(&e);
    const bool outage = dynamic_cast<const http::TransportError*>(&e) != nullptr ||
                        (hub_error != nullptr && hub_error->error_code() != "RevisionNotFound");
    if (!outage) throw;
    const Cached cached = find_in_cache(cache, repo, need);
    if (!cached.snapshot) throw;
    log::warn("hub: {} (using the cached snapshot {})", one_line_message(e),
              cached.snapshot->dir.string());
    return *cached.snapshot;
  }
  const std::string& commit = listing.commit;
  const std::set<std::string> present(listing.files.begin(), listing.files.end());
  const Selection selection = select_files(
      need, [&](const std::string& name) { return present.contains(name); },
      [&](const std::string& index) {
        ensure_file(api, cache, repo.repo_id, commit, index, progress);
        return read_file(cache.snapshot_file(commit, index));
      });
  if (!selection.missing.empty()) {
    throw Error(fmt::format("the repo has no {} at commit {}; it has: {}",
                            join(selection.missing, ", "), commit,
                            list_for_message(listing.files)));
  }
  for (const auto& file : selection.absent) cache.mark_missing(commit, file);
  for (const auto& file : selection.files) {
    ensure_file(api, cache, repo.repo_id, commit, file, progress);
  }
  cache.write_ref(repo.revision, commit);  // last: a ref never points at a failed download
  return Snapshot{cache.snapshot_dir(commit), commit, selection.files};
}

}  // namespace

std::string download_command(const RepoRef& repo, Need need) {
  return fmt::format("cola hub download {}{}", to_string(repo),
                     need == Need::kConfigOnly ? " --config-only" : "");
}

Snapshot fetch(const RepoRef& repo, Need need, const Settings& settings, const Progress& progress) {
  validate_repo_id(repo.repo_id);
  validate_revision(repo.revision);
  std::error_code ec;
  // Absolute and with symlinks resolved, as Python's Path(cache_dir).expanduser().resolve().
  fs::path cache_dir = fs::weakly_canonical(fs::absolute(settings.cache_dir), ec);
  if (ec) cache_dir = fs::absolute(settings.cache_dir).lexically_normal();
  const RepoCache cache(cache_dir, repo.repo_id);
  return with_context(fmt::format("Hub repo {}@{}", repo.repo_id, repo.revision), [&] {
    if (settings.offline) {
      Cached cached = find_in_cache(cache, repo, need);
      if (!cached.snapshot) {
        throw Error(fmt::format("{}; {}=1 allows no download: run '{}' first, or unset {}",
                                cached.miss, settings.offline_variable,
                                download_command(repo, need), settings.offline_variable));
      }
      return std::move(*cached.snapshot);
    }
    // A commit that the cache holds in full needs no network (hf_hub_download's shortcut).
    if (is_commit_hash(repo.revision)) {
      Cached cached = find_in_cache(cache, repo, need);
      if (cached.snapshot) return std::move(*cached.snapshot);
    }
    return fetch_online(repo, need, settings, cache, progress);
  });
}

}  // namespace cola::hub

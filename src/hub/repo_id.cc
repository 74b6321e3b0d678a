#include "hub/repo_id.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "core/error.h"

namespace cola::hub {
namespace {

constexpr size_t kMaxNameLength = 96;  // validate_repo_id: `[\w\-.]{1,96}`

bool is_word_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

bool is_id_char(char c) { return is_word_char(c) || c == '-' || c == '.'; }

[[noreturn]] void reject(std::string_view repo_id, std::string_view rule) {
  throw UsageError(fmt::format("invalid Hugging Face Hub repo id '{}': {}", repo_id, rule));
}

[[noreturn]] void reject_revision(std::string_view revision, std::string_view rule) {
  throw UsageError(fmt::format("invalid Hub revision '{}': {}", revision, rule));
}

// One side of "namespace/name" against REPO_ID_REGEX: `\b[\w\-.]+\b`, i.e. only word characters,
// '-' and '.', starting and ending with a word character.
void check_part(std::string_view repo_id, std::string_view part, std::string_view what) {
  if (part.empty()) reject(repo_id, fmt::format("the {} is empty (expected 'org/name')", what));
  const auto bad = std::find_if_not(part.begin(), part.end(), is_id_char);
  if (bad != part.end()) {
    reject(repo_id,
           fmt::format("only letters, digits, '-', '_' and '.' are allowed, not '{}'", *bad));
  }
  if (!is_word_char(part.front()) || !is_word_char(part.back())) {
    reject(repo_id, fmt::format("the {} must start and end with a letter, a digit or '_'", what));
  }
}

// Text that a user means as a path, never as a repo id: `from_pretrained` would not send it to the
// Hub either (validate_repo_id rejects all of these).
bool is_path_shaped(std::string_view text) {
  if (text.empty() || text.front() == '/' || text.front() == '.' || text.front() == '~')
    return true;
  if (text.find('\\') != std::string_view::npos) return true;
  const std::string_view id = text.substr(0, text.find('@'));
  return std::count(id.begin(), id.end(), '/') > 1 || (!id.empty() && id.back() == '/');
}

}  // namespace

void validate_repo_id(std::string_view repo_id) {
  // The rules and their order are validate_repo_id's (utils/_validators.py).
  if (std::count(repo_id.begin(), repo_id.end(), '/') > 1) {
    reject(repo_id, "use 'name' or 'namespace/name' (at most one '/')");
  }
  const size_t slash = repo_id.find('/');
  if (slash != std::string_view::npos) check_part(repo_id, repo_id.substr(0, slash), "namespace");
  const std::string_view name =
      slash == std::string_view::npos ? repo_id : repo_id.substr(slash + 1);
  check_part(repo_id, name, "name");
  if (name.size() > kMaxNameLength) {
    reject(repo_id, fmt::format("the name is longer than {} characters", kMaxNameLength));
  }
  if (repo_id.find("--") != std::string_view::npos ||
      repo_id.find("..") != std::string_view::npos) {
    reject(repo_id, "'--' and '..' are not allowed");
  }
  if (repo_id.ends_with(".git")) reject(repo_id, "it must not end with '.git'");
}

void validate_revision(std::string_view revision) {
  if (revision.empty())
    reject_revision(revision, "it is empty (write 'org/name@revision' or leave '@' out)");
  for (const char c : revision) {
    if (static_cast<unsigned char>(c) <= ' ' || c == '\x7f' || c == '\\') {
      reject_revision(revision, "spaces, control characters and '\\' are not allowed");
    }
  }
  // The revision becomes refs/<revision> in the cache ("refs/pr/1" is a valid one).
  if (revision.front() == '/' || revision.back() == '/')
    reject_revision(revision, "it must not start or end with '/'");
  size_t start = 0;
  while (start <= revision.size()) {
    const size_t end = std::min(revision.find('/', start), revision.size());
    const std::string_view segment = revision.substr(start, end - start);
    if (segment.empty() || segment == "." || segment == "..")
      reject_revision(revision, "empty, '.' and '..' parts are not allowed");
    start = end + 1;
  }
}

bool is_commit_hash(std::string_view revision) {
  return revision.size() == 40 && std::all_of(revision.begin(), revision.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

RepoRef parse_repo_ref(std::string_view text) {
  RepoRef ref;
  const size_t at = text.find('@');  // repo ids never contain '@'; revisions may
  ref.repo_id = std::string(text.substr(0, at));
  validate_repo_id(ref.repo_id);
  if (at != std::string_view::npos) {
    ref.revision = std::string(text.substr(at + 1));
    validate_revision(ref.revision);
  }
  return ref;
}

std::optional<RepoRef> parse_repo_id(std::string_view text) {
  if (is_path_shaped(text)) return std::nullopt;
  return parse_repo_ref(text);
}

bool is_hub_reference(std::string_view text) {
  std::error_code ec;
  // symlink_status: a dangling symlink is still a path the user named.
  if (std::filesystem::exists(std::filesystem::symlink_status(std::string(text), ec))) return false;
  return with_context(fmt::format("'{}' is no existing path, nor a Hub repo id", text),
                      [&] { return parse_repo_id(text).has_value(); });
}

std::string to_string(const RepoRef& ref) {
  return ref.revision == "main" ? ref.repo_id : fmt::format("{}@{}", ref.repo_id, ref.revision);
}

}  // namespace cola::hub

#pragma once
// Hugging Face Hub repo ids: "org/name" or "org/name@revision", read as `from_pretrained` reads
// them, and validated by the rules of huggingface_hub's validate_repo_id (utils/_validators.py),
// so that an id cola accepts is one Python and the Hub accept too.
#include <optional>
#include <string>
#include <string_view>

namespace cola::hub {

struct RepoRef {
  std::string repo_id;            // "org/name", or a legacy id without "/" ("bert-base-uncased")
  std::string revision = "main";  // a branch, a tag or a 40-hex commit
};

/// "org/name" or "org/name@rev" → RepoRef, validated as huggingface_hub's validate_repo_id (a name
/// without "/" like "bert-base-uncased" is also a valid legacy id); nullopt when `text` is not
/// shaped like a repo id at all (has a path separator problem, e.g. starts with "/", ".", or has 2+
/// slashes); throws UsageError for an id-shaped text that breaks a rule (naming the rule).
std::optional<RepoRef> parse_repo_id(std::string_view text);

/// True when `text` names no existing path and parses as a repo id: how a checkpoint argument is
/// read. Throws UsageError (naming the rule) for a missing path that is an invalid repo id.
bool is_hub_reference(std::string_view text);

/// "org/name[@rev]" → RepoRef where the text must be a repo id (`cola hub download`): any
/// malformed text, path-shaped ones included, is a UsageError naming the rule it breaks.
RepoRef parse_repo_ref(std::string_view text);

/// Throws UsageError naming the rule of validate_repo_id that `repo_id` breaks.
void validate_repo_id(std::string_view repo_id);

/// Throws UsageError when `revision` is empty, has spaces or control characters, or could leave
/// refs/ on disk (a leading "/", a ".." segment, a backslash).
void validate_revision(std::string_view revision);

/// True for a full commit hash: 40 lowercase hex digits (REGEX_COMMIT_HASH in file_download.py).
bool is_commit_hash(std::string_view revision);

/// "org/name@rev", or "org/name" when the revision is "main": how messages name a reference.
std::string to_string(const RepoRef& ref);

}  // namespace cola::hub

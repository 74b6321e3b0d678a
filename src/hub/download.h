#pragma once
// A model's files from the Hugging Face Hub, in the cache Python's huggingface_hub uses (layout in
// hub/cache.h): fetched as snapshot_download fetches them (_snapshot_download.py: list the repo at
// a revision, then hf_hub_download each file at its commit), or, offline (HF_HUB_OFFLINE=1), found
// in the cache through refs/ as try_to_load_from_cache finds them.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "hub/repo_id.h"
#include "hub/settings.h"

namespace cola::hub {

/// Which files of a repo a caller needs.
enum class Need {
  kModel,       // config.json, vocab.txt, tokenizer_config.json if the repo has it, the weights
  kConfigOnly,  // the same without the weights (a Lightning checkpoint carries its own)
};

struct Snapshot {
  std::filesystem::path dir;       // <cache>/models--org--name/snapshots/<commit>
  std::string commit;              // 40 hex
  std::vector<std::string> files;  // relative names present for this need
};

/// Progress callback: (file, bytes so far, total bytes or 0).
using Progress = std::function<void(const std::string&, uint64_t, uint64_t)>;

/// Makes the files `need` asks for present in the cache and returns the snapshot; offline: only
/// checks, and a miss is an Error that names what is missing and how to fetch it. Files already
/// in the cache are not downloaded again. Every download is checked against its etag (sha256 or
/// git blob sha1) and size before it enters the cache.
Snapshot fetch(const RepoRef& repo, Need need, const Settings& settings,
               const Progress& progress = {});

/// The `cola hub download ...` command that fetches `repo` for `need` (for messages).
std::string download_command(const RepoRef& repo, Need need);

}  // namespace cola::hub

#pragma once
// Which of a repo's files a Need asks for, picked the way transformers' from_pretrained looks for
// weights: model.safetensors, else its sharded index, else pytorch_model.bin, else its index.
// Used online on the repo listing and offline on the snapshot folder.
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "hub/download.h"

namespace cola::hub {

/// The weights files looked for, in order of preference.
inline constexpr const char* kWeightsCandidates[] = {
    "model.safetensors", "model.safetensors.index.json", "pytorch_model.bin",
    "pytorch_model.bin.index.json"};

struct Selection {
  std::vector<std::string> files;    // wanted and there, an index before its shards
  std::vector<std::string> absent;   // looked for and not there, not needed: .no_exist entries
  std::vector<std::string> missing;  // needed and not there; empty when the need is met
};

/// Picks the files for `need`. `has(name)` says whether the repo (or snapshot) has a file;
/// `read(name)` returns the text of a present *.index.json, to find its shards.
Selection select_files(Need need, const std::function<bool(const std::string&)>& has,
                       const std::function<std::string(const std::string&)>& read);

/// The distinct files a *.index.json names in its "weight_map", in first-seen order. Throws Error
/// naming `index_name` when the JSON is not such an index or names an unsafe file.
std::vector<std::string> index_shards(std::string_view index_json, std::string_view index_name);

}  // namespace cola::hub

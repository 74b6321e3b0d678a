#include "hub/select.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "hub/cache.h"

namespace cola::hub {

std::vector<std::string> index_shards(std::string_view index_json, std::string_view index_name) {
  return with_context(std::string(index_name), [&] {
    const auto json = nlohmann::json::parse(index_json);
    std::vector<std::string> shards;
    for (const auto& [tensor, file] : json.at("weight_map").items()) {
      const std::string name = file.get<std::string>();
      validate_relative_filename(name);
      if (std::find(shards.begin(), shards.end(), name) == shards.end()) shards.push_back(name);
    }
    if (shards.empty()) throw Error("the weight_map is empty");
    return shards;
  });
}

Selection select_files(Need need, const std::function<bool(const std::string&)>& has,
                       const std::function<std::string(const std::string&)>& read) {
  Selection s;
  for (const char* required : {"config.json", "vocab.txt"}) {
    (has(required) ? s.files : s.missing).emplace_back(required);
  }
  (has("tokenizer_config.json") ? s.files : s.absent).emplace_back("tokenizer_config.json");
  if (need == Need::kConfigOnly) return s;

  for (const std::string candidate : kWeightsCandidates) {
    if (!has(candidate)) {
      s.absent.push_back(candidate);
      continue;
    }
    s.files.push_back(candidate);
    if (candidate.ends_with(".index.json")) {
      for (auto& shard : index_shards(read(candidate), candidate)) {
        (has(shard) ? s.files : s.missing).push_back(std::move(shard));
      }
    }
    return s;
  }
  s.absent.clear();  // nothing to record when the need is not met
  s.missing.push_back(fmt::format("weights ({})", fmt::join(kWeightsCandidates, ", ")));
  return s;
}

}  // namespace cola::hub

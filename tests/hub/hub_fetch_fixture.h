#pragma once
// The fixture of the fetch() tests: the fake hub serving the golden tiny-bert as
// cola-golden/tiny-bert, an empty cache, and the names huggingface_hub gives its files.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hub/download.h"
#include "hub/fake_hub.h"
#include "support/shared_data.h"

namespace cola::hub::fetch_test {

namespace fs = std::filesystem;
using test::kFakeCommit;
using test::kFakeCommitV1;

inline constexpr const char* kRepo = "cola-golden/tiny-bert";
inline constexpr const char* kFolder = "models--cola-golden--tiny-bert";
inline constexpr const char* kWeightsNames =
    "weights (model.safetensors, model.safetensors.index.json, pytorch_model.bin, "
    "pytorch_model.bin.index.json)";
inline const std::vector<std::string> kFiles = {"config.json", "vocab.txt", "tokenizer_config.json",
                                                "model.safetensors"};
// The blob names huggingface_hub gives the golden files: `git hash-object` for the regular ones,
// `sha256sum` for the LFS one (computed once with those tools, not with the code under test).
inline const std::map<std::string, std::string> kEtags = {
    {"config.json", "5a529cef0e4f72d03430134d3c2819d8686fae37"},
    {"vocab.txt", "fb140275c155a9c7c5a3b3e0e77a9e839594a938"},
    {"tokenizer_config.json", "dd7e3d12f7428a6964e095b1becc7a7e8020fc6c"},
    {"model.safetensors", "9efd8bb4f33d69aab4e26ed8ee0f1b5231d1f95e0e51753ef4a39a35a0517b2a"}};
inline constexpr uint64_t kWeightsSize = 8367568;

// Every entry under `dir`, relative and sorted: "dir/", "file", "link -> target".
inline std::vector<std::string> tree(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    const std::string rel = entry.path().lexically_relative(dir).string();
    if (entry.is_symlink()) {
      out.push_back(rel + " -> " + fs::read_symlink(entry.path()).string());
    } else {
      out.push_back(entry.is_directory() ? rel + "/" : rel);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

class HubFetch : public ::testing::Test {
 protected:
  void SetUp() override {
    COLA_SHARED_PATH_OR_SKIP(golden, "golden/tiny-bert");
    golden_ = golden;
    start_hub(kFiles);
  }

  void start_hub(const std::vector<std::string>& files) {
    hub_.reset();
    hub_ = std::make_unique<test::FakeHub>(test::FakeHub::Options{.root = golden_, .files = files});
  }

  Settings settings(std::optional<std::string> token = "hf_secret") const {
    Settings s;
    s.cache_dir = cache_.path();
    s.endpoint = hub_->url();
    s.token = std::move(token);
    return s;
  }

  Settings offline() const {
    Settings s = settings();
    s.offline = true;
    return s;
  }

  fs::path cache() const { return fs::weakly_canonical(cache_.path()); }
  fs::path repo_dir() const { return cache() / kFolder; }
  fs::path snapshot(const std::string& commit = kFakeCommit) const {
    return repo_dir() / "snapshots" / commit;
  }

  fs::path golden_;
  test::TempDir cache_;
  std::unique_ptr<test::FakeHub> hub_;
};

}  // namespace cola::hub::fetch_test

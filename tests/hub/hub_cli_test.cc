// `cola hub download` through the real binary, against the fake hub (HF_ENDPOINT).
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/file.h"
#include "hub/fake_hub.h"
#include "support/run_cli.h"
#include "support/shared_data.h"

namespace cola::test {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

class HubCli : public ::testing::Test {
 protected:
  void SetUp() override {
    COLA_SHARED_PATH_OR_SKIP(golden, "golden/tiny-bert");
    hub_ = std::make_unique<FakeHub>(FakeHub::Options{
        .root = golden,
        .files = {"config.json", "vocab.txt", "tokenizer_config.json", "model.safetensors"}});
    write_file_atomic(home_ / "token", "hf_from_file\n");
  }

  // The environment of a user with an HF_HOME of their own and the fake hub as endpoint.
  std::map<std::string, std::string> env(
      const std::map<std::string, std::string>& extra = {}) const {
    std::map<std::string, std::string> e = {{"HF_HUB_CACHE", cache_.path().string()},
                                            {"HF_HOME", home_.path().string()},
                                            {"HF_ENDPOINT", hub_->url()},
                                            {"HF_HUB_OFFLINE", "0"},
                                            {"HF_TOKEN", ""},
                                            {"HUGGING_FACE_HUB_TOKEN", ""}};
    for (auto& [k, v] : extra) e[k] = v;
    return e;
  }

  std::string snapshot_dir() const {
    return (fs::weakly_canonical(cache_.path()) / "models--cola-golden--tiny-bert/snapshots" /
            kFakeCommit)
        .string();
  }

  TempDir cache_, home_;
  std::unique_ptr<FakeHub> hub_;
};

TEST_F(HubCli, DownloadPrintsTheSnapshotDirAndASecondRunDownloadsNothing) {
  auto r = run_cli({"hub", "download", "cola-golden/tiny-bert"}, env({{"HF_TOKEN", "hf_env"}}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, snapshot_dir() + "\n");
  EXPECT_THAT(r.err, Not(HasSubstr("\r")));  // stderr is no terminal here: no progress bar
  EXPECT_EQ(read_file(fs::path(snapshot_dir()) / "config.json"),
            read_file(*shared_dir() / "golden/tiny-bert/config.json"));
  EXPECT_EQ(hub_->file_gets(), 4);
  EXPECT_THAT(hub_->hub_authorizations().front(), "Bearer hf_env");
  EXPECT_THAT(hub_->cdn_authorizations(), ElementsAre(""));

  r = run_cli({"hub", "download", "cola-golden/tiny-bert"}, env());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, snapshot_dir() + "\n");
  EXPECT_EQ(hub_->file_gets(), 4);                                      // no file content again
  EXPECT_EQ(hub_->hub_authorizations().back(), "Bearer hf_from_file");  // $HF_HOME/token
}

TEST_F(HubCli, ConfigOnlyAndRevisions) {
  const auto r = run_cli({"hub", "download", "cola-golden/tiny-bert@v1", "--config-only"}, env());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const fs::path dir = fs::weakly_canonical(cache_.path()) /
                       "models--cola-golden--tiny-bert/snapshots" / kFakeCommitV1;
  EXPECT_EQ(r.out, dir.string() + "\n");
  EXPECT_TRUE(fs::exists(dir / "tokenizer_config.json"));
  EXPECT_FALSE(fs::exists(fs::symlink_status(dir / "model.safetensors")));
  EXPECT_EQ(read_file(cache_ / "models--cola-golden--tiny-bert/refs/v1"), kFakeCommitV1);
}

TEST_F(HubCli, OfflineHitAndMiss) {
  ASSERT_EQ(run_cli({"hub", "download", "cola-golden/tiny-bert"}, env()).exit_code, 0);
  hub_->stop();
  auto r = run_cli({"hub", "download", "cola-golden/tiny-bert"}, env({{"HF_HUB_OFFLINE", "1"}}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, snapshot_dir() + "\n");
  r = run_cli({"hub", "download", "cola-golden/other@v2"},
              env({{"TRANSFORMERS_OFFLINE", "1"}, {"HF_HUB_OFFLINE", ""}}));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(count_lines(r.err), 1) << r.err;
  EXPECT_THAT(r.err, StartsWith("cola: error: Hub repo cola-golden/other@v2: the repo is not in "
                                "the Hub cache"));
  EXPECT_THAT(r.err, HasSubstr("TRANSFORMERS_OFFLINE=1 allows no download: run 'cola hub download "
                               "cola-golden/other@v2' first, or unset TRANSFORMERS_OFFLINE"));
  EXPECT_EQ(r.out, "");
}

TEST_F(HubCli, UsageErrorsExit2NamingTheRule) {
  for (const auto& [id, rule] : std::vector<std::pair<std::string, std::string>>{
           {"../x", "the namespace must start and end with a letter, a digit or '_'"},
           {"a/b/c", "use 'name' or 'namespace/name' (at most one '/')"},
           {"a--b", "'--' and '..' are not allowed"},
           {"org/", "the name is empty (expected 'org/name')"}}) {
    const auto r = run_cli({"hub", "download", id}, env());
    EXPECT_EQ(r.exit_code, 2) << id;
    EXPECT_EQ(r.err,
              fmt::format("cola: error: invalid Hugging Face Hub repo id '{}': {}\n", id, rule));
  }
  EXPECT_EQ(hub_->api_gets(), 0);
}

}  // namespace
}  // namespace cola::test

// fetch() against the fake hub: the cache as huggingface_hub writes it, offline use, revisions.
#include "hub/download.h"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <tuple>

#include "core/error.h"
#include "core/file.h"
#include "hub/hub_fetch_fixture.h"
#include "support/error_message.h"

namespace cola::hub {
namespace {

using test::error_message;
using ::testing::Each;
using ::testing::ElementsAre;
using ::testing::Eq;
using ::testing::HasSubstr;
using namespace fetch_test;  // NOLINT(google-build-using-namespace): the fixture's names

TEST_F(HubFetch, OnlineIntoAnEmptyCacheWritesHuggingfaceHubsLayout) {
  const Snapshot snap = fetch({kRepo}, Need::kModel, settings());
  EXPECT_EQ(snap.dir, snapshot());
  EXPECT_EQ(snap.commit, kFakeCommit);
  EXPECT_EQ(snap.files, kFiles);

  const std::string repo = kFolder;
  std::vector<std::string> expected = {
      ".locks/",           ".locks/" + repo + "/", "CACHEDIR.TAG",
      repo + "/",          repo + "/blobs/",       repo + "/refs/",
      repo + "/refs/main", repo + "/snapshots/",   repo + "/snapshots/" + kFakeCommit + "/"};
  for (const auto& [file, etag] : kEtags) {
    expected.push_back(fmt::format(".locks/{}/{}.lock", repo, etag));
    expected.push_back(fmt::format("{}/blobs/{}", repo, etag));
    expected.push_back(
        fmt::format("{}/snapshots/{}/{} -> ../../blobs/{}", repo, kFakeCommit, file, etag));
  }
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(tree(cache()), expected);
  EXPECT_EQ(read_file(repo_dir() / "refs/main"), kFakeCommit);  // no newline, as Python writes it
  for (const auto& file : kFiles) {
    EXPECT_EQ(read_file(snap.dir / file), read_file(golden_ / file)) << file;
  }

  // The token goes to the hub (listing, 4 HEADs, 3 GETs of regular files), never to the CDN.
  EXPECT_EQ(hub_->hub_authorizations(), std::vector<std::string>(8, "Bearer hf_secret"));
  EXPECT_THAT(hub_->cdn_authorizations(), ElementsAre(""));
  EXPECT_THAT(hub_->head_accept_encodings(), Each(Eq("identity")));
  EXPECT_EQ(hub_->file_gets(), 4);
}

TEST_F(HubFetch, ASecondFetchDownloadsNothing) {
  fetch({kRepo}, Need::kModel, settings());
  const int gets = hub_->file_gets();
  const int heads = hub_->heads();
  const Snapshot again = fetch({kRepo}, Need::kModel, settings());
  EXPECT_EQ(again.dir, snapshot());
  EXPECT_EQ(hub_->file_gets(), gets);
  EXPECT_EQ(hub_->heads(), heads);  // the snapshot has every file: not even a HEAD
  // A commit the cache holds in full needs no request at all.
  const int api = hub_->api_gets();
  EXPECT_EQ(fetch({kRepo, kFakeCommit}, Need::kModel, settings()).dir, snapshot());
  EXPECT_EQ(hub_->api_gets(), api);
}

TEST_F(HubFetch, ProgressCountsBytes) {
  std::vector<std::tuple<std::string, uint64_t, uint64_t>> calls;
  fetch({kRepo}, Need::kModel, settings(),
        [&](const std::string& f, uint64_t done, uint64_t total) {
          calls.emplace_back(f, done, total);
        });
  ASSERT_FALSE(calls.empty());
  EXPECT_EQ(calls.front(), std::make_tuple(std::string("config.json"), uint64_t{0}, uint64_t{574}));
  EXPECT_EQ(calls.back(),
            std::make_tuple(std::string("model.safetensors"), kWeightsSize, kWeightsSize));
}

TEST_F(HubFetch, OfflineServesTheSameSnapshotWithTheServerStopped) {
  fetch({kRepo}, Need::kModel, settings());
  hub_->stop();
  Snapshot snap = fetch({kRepo}, Need::kModel, offline());
  EXPECT_EQ(snap.dir, snapshot());
  EXPECT_EQ(snap.commit, kFakeCommit);
  EXPECT_EQ(snap.files, kFiles);
  snap = fetch({kRepo}, Need::kConfigOnly, offline());
  EXPECT_THAT(snap.files, ElementsAre("config.json", "vocab.txt", "tokenizer_config.json"));
  // Online with the Hub unreachable, the complete cached snapshot serves (as snapshot_download).
  EXPECT_EQ(fetch({kRepo}, Need::kModel, settings()).dir, snapshot());
}

TEST_F(HubFetch, OfflineMissesNameWhatIsMissingAndHowToFetchIt) {
  fetch({kRepo}, Need::kConfigOnly, settings());  // no weights in the cache
  hub_->stop();
  const auto miss = [&](const RepoRef& ref, Need need, const Settings& s) {
    return error_message<Error>([&] { fetch(ref, need, s); });
  };
  const std::string how = "HF_HUB_OFFLINE=1 allows no download: run 'cola hub download";
  EXPECT_EQ(miss({"cola-golden/other"}, Need::kModel, offline()),
            fmt::format("Hub repo cola-golden/other@main: the repo is not in the Hub cache {} (no "
                        "models--cola-golden--other); {} cola-golden/other' first, or unset "
                        "HF_HUB_OFFLINE",
                        cache().string(), how));
  EXPECT_EQ(miss({kRepo, "v2"}, Need::kConfigOnly, offline()),
            fmt::format("Hub repo cola-golden/tiny-bert@v2: revision 'v2' is not in the Hub cache "
                        "(no {}); {} cola-golden/tiny-bert@v2 --config-only' first, or unset "
                        "HF_HUB_OFFLINE",
                        (repo_dir() / "refs/v2").string(), how));
  EXPECT_EQ(miss({kRepo}, Need::kModel, offline()),
            fmt::format("Hub repo cola-golden/tiny-bert@main: {} not in the Hub cache {}; {} "
                        "cola-golden/tiny-bert' first, or unset HF_HUB_OFFLINE",
                        kWeightsNames, snapshot().string(), how));
  const std::string other_commit(40, 'f');
  EXPECT_THAT(miss({kRepo, other_commit}, Need::kModel, offline()),
              HasSubstr(fmt::format("commit {} is not in the Hub cache (no {})", other_commit,
                                    snapshot(other_commit).string())));
  Settings legacy = offline();
  legacy.offline_variable = "TRANSFORMERS_OFFLINE";
  EXPECT_THAT(miss({kRepo}, Need::kModel, legacy),
              HasSubstr("TRANSFORMERS_OFFLINE=1 allows no download: run 'cola hub download "
                        "cola-golden/tiny-bert' first, or unset TRANSFORMERS_OFFLINE"));
  // The config-only need is met.
  EXPECT_EQ(fetch({kRepo}, Need::kConfigOnly, offline()).files.size(), 3U);
}

// A cache written the way huggingface_hub writes one: blobs named by etag, relative links, a ref
// file without newline.
TEST_F(HubFetch, ACacheLaidOutByHandAsPythonWritesItIsUsedOffline) {
  const std::string commit = "30b0a37ccaaa32f332884b96992754e246e48c5f";
  const fs::path repo = cache_.path() / kFolder;
  for (const auto& [file, etag] : kEtags) {
    fs::create_directories(repo / "blobs");
    fs::copy_file(golden_ / file, repo / "blobs" / etag);
    fs::create_directories(repo / "snapshots" / commit);
    fs::create_symlink("../../blobs/" + etag, repo / "snapshots" / commit / file);
  }
  write_file_atomic(repo / "refs/main", commit);
  Snapshot snap = fetch({kRepo}, Need::kModel, offline());
  EXPECT_EQ(snap.dir, snapshot(commit));
  EXPECT_EQ(snap.commit, commit);
  EXPECT_EQ(snap.files, kFiles);
  EXPECT_EQ(read_file(snap.dir / "model.safetensors"), read_file(golden_ / "model.safetensors"));

  // A file Python found missing (.no_exist) is simply not part of the snapshot.
  fs::remove(repo / "snapshots" / commit / "tokenizer_config.json");
  fs::create_directories(repo / ".no_exist" / commit);
  write_file_atomic(repo / ".no_exist" / commit / "tokenizer_config.json", "");
  snap = fetch({kRepo}, Need::kModel, offline());
  EXPECT_THAT(snap.files, ElementsAre("config.json", "vocab.txt", "model.safetensors"));

  // Online, another commit whose blobs Python already has: links only, no GET of any content.
  snap = fetch({kRepo}, Need::kModel, settings());
  EXPECT_EQ(snap.dir, snapshot());
  EXPECT_EQ(hub_->file_gets(), 0);
  EXPECT_EQ(read_file(repo / "refs/main"), kFakeCommit);
}

TEST_F(HubFetch, RevisionsResolveThroughRefs) {
  fetch({kRepo}, Need::kModel, settings());
  const int gets = hub_->file_gets();
  const Snapshot v1 = fetch({kRepo, "v1"}, Need::kModel, settings());
  EXPECT_EQ(v1.dir, snapshot(kFakeCommitV1));
  EXPECT_EQ(read_file(repo_dir() / "refs/v1"), kFakeCommitV1);
  EXPECT_EQ(hub_->file_gets(), gets);  // the blobs are shared: links only
  hub_->stop();
  EXPECT_EQ(fetch({kRepo, "v1"}, Need::kModel, offline()).dir, snapshot(kFakeCommitV1));
  EXPECT_EQ(fetch({kRepo, kFakeCommitV1}, Need::kModel, offline()).dir, snapshot(kFakeCommitV1));
  EXPECT_EQ(fetch({kRepo}, Need::kModel, offline()).dir, snapshot());
}

TEST_F(HubFetch, ARenamedRepoIsFollowedThroughRelativeRedirects) {
  hub_->alias("old-org/tiny-bert");
  const Snapshot snap = fetch({"old-org/tiny-bert"}, Need::kModel, settings());
  // The cache keeps the name asked for, as huggingface_hub does.
  EXPECT_EQ(snap.dir, cache() / "models--old-org--tiny-bert/snapshots" / kFakeCommit);
  EXPECT_EQ(read_file(snap.dir / "config.json"), read_file(golden_ / "config.json"));
}

}  // namespace
}  // namespace cola::hub

// fetch() when things go wrong: checksum and size mismatches leave nothing, HTTP errors say what
// happened and what to do.
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/error.h"
#include "core/file.h"
#include "hub/download.h"
#include "hub/hub_fetch_fixture.h"
#include "support/error_message.h"

namespace cola::hub {
namespace {

using test::error_message;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;
using namespace fetch_test;  // NOLINT(google-build-using-namespace): the fixture's names

TEST_F(HubFetch, AChecksumMismatchKeepsNothingOfTheFile) {
  hub_->corrupt("model.safetensors");
  const std::string message =
      error_message<Error>([&] { fetch({kRepo}, Need::kModel, settings()); });
  EXPECT_THAT(message,
              StartsWith(fmt::format("Hub repo cola-golden/tiny-bert@main: "
                                     "model.safetensors: sha256 mismatch: expected {}, got ",
                                     kEtags.at("model.safetensors"))));
  EXPECT_THAT(message, HasSubstr(" from " + hub_->cdn_url() + "/repos/"));
  for (const auto& entry : fs::directory_iterator(repo_dir() / "blobs")) {
    EXPECT_EQ(entry.path().filename().string().find(".incomplete"), std::string::npos);
  }
  EXPECT_FALSE(fs::exists(repo_dir() / "blobs" / kEtags.at("model.safetensors")));
  EXPECT_FALSE(fs::exists(fs::symlink_status(snapshot() / "model.safetensors")));
  EXPECT_FALSE(fs::exists(repo_dir() / "refs"));

  // The git blob id of a regular file is checked the same way.
  test::TempDir other;
  Settings s = settings();
  s.cache_dir = other.path();
  hub_->corrupt("config.json");
  EXPECT_THAT(error_message<Error>([&] { fetch({kRepo}, Need::kConfigOnly, s); }),
              HasSubstr(fmt::format("config.json: git blob sha1 mismatch: expected {}, got ",
                                    kEtags.at("config.json"))));
  EXPECT_EQ(tree(other.path() / kFolder / "blobs"), std::vector<std::string>{});
}

TEST_F(HubFetch, ASizeMismatchKeepsNothingOfTheFile) {
  for (const int64_t delta : {1, -1}) {
    start_hub(kFiles);
    hub_->resize("model.safetensors", delta);
    const std::string got =
        delta > 0 ? fmt::format("more than {}", kWeightsSize) : std::to_string(kWeightsSize - 1);
    EXPECT_THAT(error_message<Error>([&] { fetch({kRepo}, Need::kModel, settings()); }),
                HasSubstr(fmt::format("model.safetensors: size mismatch: expected {} bytes "
                                      "(X-Linked-Size), got {} from {}/repos/",
                                      kWeightsSize, got, hub_->cdn_url())));
    std::vector<std::string> blobs;
    for (const auto& entry : fs::directory_iterator(repo_dir() / "blobs")) {
      blobs.push_back(entry.path().filename().string());
    }
    std::sort(blobs.begin(), blobs.end());
    EXPECT_THAT(blobs, ElementsAre(kEtags.at("config.json"), kEtags.at("tokenizer_config.json"),
                                   kEtags.at("vocab.txt")));
    EXPECT_FALSE(fs::exists(fs::symlink_status(snapshot() / "model.safetensors")));
  }
}

TEST_F(HubFetch, AuthErrorsSayHowToGiveAToken) {
  hub_->require_token("hf_right");
  const std::string listing = hub_->url() + "/api/models/cola-golden/tiny-bert/revision/main";
  EXPECT_EQ(error_message<Error>([&] { fetch({kRepo}, Need::kModel, settings(std::nullopt)); }),
            fmt::format("Hub repo cola-golden/tiny-bert@main: repo cola-golden/tiny-bert not "
                        "found, or it is private or gated (HTTP 401 for {}): give a token with "
                        "access via HF_TOKEN or the token file (`huggingface-cli login`)",
                        listing));
  EXPECT_EQ(error_message<Error>([&] { fetch({kRepo}, Need::kModel, settings("hf_wrong")); }),
            fmt::format("Hub repo cola-golden/tiny-bert@main: the Hub rejected the token (HTTP 401 "
                        "for {}): check HF_TOKEN or the token file",
                        listing));
  EXPECT_EQ(fetch({kRepo}, Need::kModel, settings("hf_right")).files, kFiles);
  EXPECT_THAT(hub_->cdn_authorizations(), ElementsAre(""));
}

TEST_F(HubFetch, OtherHttpErrorsNameTheStatusAndUrl) {
  const std::string listing = hub_->url() + "/api/models/cola-golden/tiny-bert/revision/main";
  hub_->fail(500);
  EXPECT_EQ(error_message<Error>([&] { fetch({kRepo}, Need::kModel, settings()); }),
            fmt::format("Hub repo cola-golden/tiny-bert@main: HTTP 500 for {}: Failing with 500 "
                        "as told",
                        listing));
  hub_->fail(403, "GatedRepo");
  EXPECT_EQ(error_message<Error>([&] { fetch({kRepo}, Need::kModel, settings()); }),
            fmt::format("Hub repo cola-golden/tiny-bert@main: repo cola-golden/tiny-bert is gated "
                        "(HTTP 403 for {}): accept its conditions on the Hub, then give a token "
                        "with access via HF_TOKEN or the token file (`huggingface-cli login`)",
                        listing));
  // A 404 without the Hub's X-Error-Code (a wrong HF_ENDPOINT, a proxy).
  Settings wrong = settings();
  wrong.endpoint = hub_->url() + "/mirror";
  hub_->fail(0);
  EXPECT_EQ(error_message<Error>([&] { fetch({kRepo}, Need::kModel, wrong); }),
            fmt::format("Hub repo cola-golden/tiny-bert@main: not found (HTTP 404 for "
                        "{}/mirror/api/models/cola-golden/tiny-bert/revision/main): check the "
                        "repo cola-golden/tiny-bert and the revision 'main'",
                        hub_->url()));
  // Once the snapshot is cached, a failing Hub falls back to it, as snapshot_download does.
  fetch({kRepo}, Need::kModel, settings());
  hub_->fail(503);
  EXPECT_EQ(fetch({kRepo}, Need::kModel, settings()).dir, snapshot());
  hub_->fail(404, "RevisionNotFound");  // an answer, not an outage
  EXPECT_THAT(error_message<Error>([&] { fetch({kRepo}, Need::kModel, settings()); }),
              HasSubstr("revision 'main' not found in cola-golden/tiny-bert (HTTP 404"));
}

TEST_F(HubFetch, NotFoundMessagesNameTheRepoRevisionOrFile) {
  EXPECT_EQ(error_message<Error>([&] { fetch({"cola-golden/nope"}, Need::kModel, settings()); }),
            fmt::format("Hub repo cola-golden/nope@main: repo cola-golden/nope not found, or it is "
                        "private or gated (HTTP 404 for {}/api/models/cola-golden/nope/revision/"
                        "main): the token sent has no access to it",
                        hub_->url()));
  EXPECT_EQ(error_message<Error>([&] {
              fetch({kRepo, "v9"}, Need::kModel, settings());
            }),
            fmt::format("Hub repo cola-golden/tiny-bert@v9: revision 'v9' not found in "
                        "cola-golden/tiny-bert (HTTP 404 for {}/api/models/cola-golden/tiny-bert/"
                        "revision/v9)",
                        hub_->url()));
  start_hub({"config.json", "vocab.txt"});
  EXPECT_EQ(error_message<Error>([&] { fetch({kRepo}, Need::kModel, settings()); }),
            fmt::format("Hub repo cola-golden/tiny-bert@main: the repo has no {} at commit {}; it "
                        "has: config.json, vocab.txt",
                        kWeightsNames, kFakeCommit));
  // Config only: what is there, and a .no_exist marker for what is not, as Python leaves one.
  EXPECT_THAT(fetch({kRepo}, Need::kConfigOnly, settings()).files,
              ElementsAre("config.json", "vocab.txt"));
  EXPECT_EQ(read_file(repo_dir() / ".no_exist" / kFakeCommit / "tokenizer_config.json"), "");
  hub_->stop();
  EXPECT_THAT(fetch({kRepo}, Need::kConfigOnly, offline()).files,
              ElementsAre("config.json", "vocab.txt"));
}

TEST_F(HubFetch, InvalidIdsAreUsageErrors) {
  EXPECT_EQ(error_message<UsageError>([&] { fetch({"a--b"}, Need::kModel, settings()); }),
            "invalid Hugging Face Hub repo id 'a--b': '--' and '..' are not allowed");
  EXPECT_EQ(hub_->api_gets(), 0);
}

}  // namespace
}  // namespace cola::hub

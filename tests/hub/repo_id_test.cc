// Repo ids as from_pretrained reads them, validated by huggingface_hub's validate_repo_id rules.
#include "hub/repo_id.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/error.h"
#include "core/file.h"
#include "support/error_message.h"
#include "support/shared_data.h"

namespace cola::hub {
namespace {

using test::error_message;
using ::testing::HasSubstr;

TEST(RepoId, ParsesIdsAndRevisions) {
  auto ref = parse_repo_id("google/bert_uncased_L-2_H-128_A-2");
  ASSERT_TRUE(ref);
  EXPECT_EQ(ref->repo_id, "google/bert_uncased_L-2_H-128_A-2");
  EXPECT_EQ(ref->revision, "main");
  ref = parse_repo_id("org/name@v1.0");
  ASSERT_TRUE(ref);
  EXPECT_EQ(ref->repo_id, "org/name");
  EXPECT_EQ(ref->revision, "v1.0");
  ref = parse_repo_id("org/name@refs/pr/1");  // a revision may hold slashes
  ASSERT_TRUE(ref);
  EXPECT_EQ(ref->revision, "refs/pr/1");
  ref = parse_repo_id("bert-base-uncased");  // a legacy id, without namespace
  ASSERT_TRUE(ref);
  EXPECT_EQ(ref->repo_id, "bert-base-uncased");
  EXPECT_TRUE(parse_repo_id("_org/Foo-BAR_foo.bar123"));
}

TEST(RepoId, PathShapedTextIsNoRepoId) {
  for (const char* path : {"", "/abs/model", "./model", "../x", "~/model", "runs/a/checkpoint",
                           "a/b/c", "dir/", "C:\\model", "https://huggingface.co/org/name"}) {
    EXPECT_FALSE(parse_repo_id(path)) << path;
  }
}

TEST(RepoId, AnIdShapedTextThatBreaksARuleIsAUsageErrorNamingTheRule) {
  const auto message = [](const char* text) {
    return error_message<UsageError>([&] { parse_repo_id(text); });
  };
  EXPECT_EQ(message("a--b"),
            "invalid Hugging Face Hub repo id 'a--b': '--' and '..' are not allowed");
  EXPECT_EQ(message("org/a..b"),
            "invalid Hugging Face Hub repo id 'org/a..b': '--' and '..' are not allowed");
  EXPECT_EQ(message("org/name.git"),
            "invalid Hugging Face Hub repo id 'org/name.git': it must not end with '.git'");
  EXPECT_EQ(message("org/my model"),
            "invalid Hugging Face Hub repo id 'org/my model': only letters, digits, '-', '_' and "
            "'.' are allowed, not ' '");
  EXPECT_EQ(message("org/-name"),
            "invalid Hugging Face Hub repo id 'org/-name': the name must start and end with a "
            "letter, a digit or '_'");
  EXPECT_EQ(message("org/name@"),
            "invalid Hub revision '': it is empty (write 'org/name@revision' or leave '@' out)");
  EXPECT_EQ(message("org/name@v1/../../x"),
            "invalid Hub revision 'v1/../../x': empty, '.' and '..' parts are not allowed");
  EXPECT_THAT(message(("org/" + std::string(97, 'a')).c_str()),
              HasSubstr("the name is longer than 96 characters"));
  EXPECT_EQ(message(("org/" + std::string(96, 'a')).c_str()), "");
}

TEST(RepoId, StrictParsingRejectsPathShapedTextToo) {
  // What `cola hub download` takes: every rule of validate_repo_id, by name.
  const auto message = [](const char* text) {
    return error_message<UsageError>([&] { parse_repo_ref(text); });
  };
  EXPECT_EQ(message("../x"),
            "invalid Hugging Face Hub repo id '../x': the namespace must start and end with a "
            "letter, a digit or '_'");
  EXPECT_EQ(message("a/b/c"),
            "invalid Hugging Face Hub repo id 'a/b/c': use 'name' or 'namespace/name' (at most "
            "one '/')");
  EXPECT_EQ(message("a--b"),
            "invalid Hugging Face Hub repo id 'a--b': '--' and '..' are not allowed");
  EXPECT_EQ(
      message("/name"),
      "invalid Hugging Face Hub repo id '/name': the namespace is empty (expected 'org/name')");
  EXPECT_EQ(message("org/"),
            "invalid Hugging Face Hub repo id 'org/': the name is empty (expected 'org/name')");
  EXPECT_EQ(message(""),
            "invalid Hugging Face Hub repo id '': the name is empty (expected 'org/name')");
  EXPECT_EQ(parse_repo_ref("org/name@v1").revision, "v1");
}

TEST(RepoId, AnExistingPathIsNeverAHubReference) {
  test::TempDir dir;
  const auto model = dir / "org";
  std::filesystem::create_directories(model / "name");
  const auto cwd = std::filesystem::current_path();
  std::filesystem::current_path(dir.path());
  EXPECT_FALSE(is_hub_reference("org/name"));  // exists, relative to the working directory
  EXPECT_TRUE(is_hub_reference("org/other"));
  EXPECT_FALSE(is_hub_reference("./org/other"));
  EXPECT_FALSE(is_hub_reference("org/name/config.json"));
  std::filesystem::current_path(cwd);
  EXPECT_EQ(error_message<UsageError>([] { is_hub_reference("no--such-model"); }),
            "'no--such-model' is no existing path, nor a Hub repo id: invalid Hugging Face Hub "
            "repo id 'no--such-model': '--' and '..' are not allowed");
}

TEST(RepoId, CommitHashesAndNames) {
  EXPECT_TRUE(is_commit_hash("30b0a37ccaaa32f332884b96992754e246e48c5f"));
  EXPECT_FALSE(is_commit_hash("30B0A37CCAAA32F332884B96992754E246E48C5F"));
  EXPECT_FALSE(is_commit_hash("30b0a37"));
  EXPECT_EQ(to_string({"org/name", "main"}), "org/name");
  EXPECT_EQ(to_string({"org/name", "v1"}), "org/name@v1");
}

}  // namespace
}  // namespace cola::hub

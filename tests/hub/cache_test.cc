// The cache layout, byte for byte as huggingface_hub's file_download.py writes it.
#include "hub/cache.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/error.h"
#include "core/file.h"
#include "support/error_message.h"
#include "support/shared_data.h"

namespace cola::hub {
namespace {

namespace fs = std::filesystem;
using test::error_message;

constexpr const char* kCommit = "30b0a37ccaaa32f332884b96992754e246e48c5f";

TEST(Cache, RepoFolderNameAndLinkTargets) {
  EXPECT_EQ(repo_folder_name("julien-c/EsperBERTo-small"), "models--julien-c--EsperBERTo-small");
  EXPECT_EQ(repo_folder_name("gpt2"), "models--gpt2");
  EXPECT_EQ(blob_link_target("config.json", "abc"), "../../blobs/abc");
  EXPECT_EQ(blob_link_target("onnx/model.onnx", "abc"), "../../../blobs/abc");
  EXPECT_EQ(blob_link_target("a/b/c.bin", "abc"), "../../../../blobs/abc");
}

TEST(Cache, FileNamesThatWouldLeaveTheSnapshotAreRejected) {
  for (const char* ok : {"config.json", "onnx/model.onnx", "a/./b"}) {
    EXPECT_NO_THROW(validate_relative_filename(ok)) << ok;
  }
  EXPECT_EQ(error_message<Error>([] { validate_relative_filename("../../etc/passwd"); }),
            "invalid file name '../../etc/passwd' in the repo: a '..' path segment");
  EXPECT_EQ(error_message<Error>([] { validate_relative_filename("/etc/passwd"); }),
            "invalid file name '/etc/passwd' in the repo: an absolute path");
  EXPECT_EQ(error_message<Error>([] { validate_relative_filename("a\\..\\b"); }),
            "invalid file name 'a\\..\\b' in the repo: a '..' path segment");
  EXPECT_EQ(error_message<Error>([] { validate_relative_filename("C:evil"); }),
            "invalid file name 'C:evil' in the repo: a drive, root or UNC path");
  EXPECT_EQ(error_message<Error>([] { validate_relative_filename(""); }),
            "invalid file name '' in the repo: it is empty");
}

TEST(Cache, RefsHoldTheCommitWithoutNewline) {
  test::TempDir dir;
  const RepoCache cache(dir.path(), "org/name");
  EXPECT_EQ(cache.root(), dir / "models--org--name");
  EXPECT_EQ(cache.read_ref("main"), std::nullopt);
  cache.write_ref("main", kCommit);
  EXPECT_EQ(read_file(dir / "models--org--name/refs/main"), kCommit);  // 40 bytes, no "\n"
  EXPECT_EQ(cache.read_ref("main"), kCommit);
  cache.write_ref("refs/pr/1", kCommit);  // Python's layout: refs/refs/pr/1
  EXPECT_EQ(read_file(dir / "models--org--name/refs/refs/pr/1"), kCommit);
  cache.write_ref(kCommit, kCommit);  // a commit gets no ref
  EXPECT_FALSE(fs::exists(dir / "models--org--name/refs" / kCommit));
  // A newline added by hand is tolerated; anything else is named.
  write_file_atomic(dir / "models--org--name/refs/v1", std::string(kCommit) + "\n");
  EXPECT_EQ(cache.read_ref("v1"), kCommit);
  write_file_atomic(dir / "models--org--name/refs/v2", "garbage");
  EXPECT_THAT(error_message<Error>([&] { cache.read_ref("v2"); }),
              ::testing::EndsWith("refs/v2: expected a 40-hex commit, found 'garbage'"));
}

TEST(Cache, LinksAreRelativeAndNoExistMarkersEmpty) {
  test::TempDir dir;
  const RepoCache cache(dir.path(), "org/name");
  write_file_atomic(cache.blob("etag1"), "content");
  cache.link(kCommit, "config.json", "etag1");
  cache.link(kCommit, "onnx/model.onnx", "etag1");
  const fs::path snapshot = dir / "models--org--name/snapshots" / kCommit;
  EXPECT_EQ(fs::read_symlink(snapshot / "config.json"), "../../blobs/etag1");
  EXPECT_EQ(fs::read_symlink(snapshot / "onnx/model.onnx"), "../../../blobs/etag1");
  EXPECT_EQ(read_file(snapshot / "onnx/model.onnx"), "content");
  EXPECT_TRUE(cache.has_file(kCommit, "config.json"));
  cache.link(kCommit, "config.json", "etag2");  // replaces; etag2 has no blob: a dangling link
  EXPECT_EQ(fs::read_symlink(snapshot / "config.json"), "../../blobs/etag2");
  EXPECT_FALSE(cache.has_file(kCommit, "config.json"));
  // Only the links are left in the snapshot: no temporary names.
  int entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(snapshot)) ++entries;
  EXPECT_EQ(entries, 2);

  EXPECT_FALSE(cache.known_missing(kCommit, "tokenizer_config.json"));
  cache.mark_missing(kCommit, "tokenizer_config.json");
  EXPECT_TRUE(cache.known_missing(kCommit, "tokenizer_config.json"));
  EXPECT_EQ(read_file(dir / "models--org--name/.no_exist" / kCommit / "tokenizer_config.json"), "");
}

TEST(Cache, AnUncommittedBlobLeavesNothing) {
  test::TempDir dir;
  const RepoCache cache(dir.path(), "org/name");
  fs::path temp;
  {
    IncompleteBlob blob(cache.blob("abc"));
    temp = blob.temp_path();
    EXPECT_EQ(temp.parent_path(), dir / "models--org--name/blobs");
    EXPECT_THAT(temp.filename().string(),
                ::testing::MatchesRegex("abc\\.[0-9a-f]{8}\\.incomplete"));
    blob.write("partial");
    EXPECT_TRUE(fs::exists(temp));
  }
  EXPECT_FALSE(fs::exists(temp));
  EXPECT_FALSE(fs::exists(cache.blob("abc")));
  {
    IncompleteBlob blob(cache.blob("abc"));
    blob.write("whole");
    blob.commit();
  }
  EXPECT_EQ(read_file(cache.blob("abc")), "whole");
}

TEST(Cache, CachedirTagIsHuggingfaceHubs) {
  test::TempDir dir;
  RepoCache(dir.path(), "org/name").tag_cache_dir();
  EXPECT_EQ(read_file(dir / "CACHEDIR.TAG"),
            "Signature: 8a477f597d28d172789f06886806bc55\n"
            "# This file is a cache directory tag created by huggingface_hub.\n"
            "# For information about cache directory tags, see:\n"
            "#\thttps://bford.info/cachedir/\n");
}

}  // namespace
}  // namespace cola::hub

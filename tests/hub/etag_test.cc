// Etag checks: expected digests come from `git hash-object` and `sha256sum`, run on the files.
#include "hub/etag.h"

#include <gtest/gtest.h>

#include "core/file.h"
#include "hub/hub_api.h"
#include "support/shared_data.h"

namespace cola::hub {
namespace {

TEST(Digest, GitBlobSha1MatchesGitHashObject) {
  EXPECT_EQ(git_blob_sha1("hello"), "b6fc4c620b67d95f953a5c1c1230aaab5db5a1b0");  // printf hello
  EXPECT_EQ(git_blob_sha1(""), "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391");       // empty blob
}

TEST(Digest, GoldenFilesHashAsGitAndSha256sumSay) {
  COLA_SHARED_PATH_OR_SKIP(dir, "golden/tiny-bert");
  EXPECT_EQ(git_blob_sha1(read_file(dir / "config.json")),
            "5a529cef0e4f72d03430134d3c2819d8686fae37");
  EXPECT_EQ(git_blob_sha1(read_file(dir / "vocab.txt")),
            "fb140275c155a9c7c5a3b3e0e77a9e839594a938");
  const std::string weights = read_file(dir / "model.safetensors");
  ContentHasher sha256(EtagKind::kSha256, weights.size());
  for (size_t i = 0; i < weights.size(); i += 100000) {  // in chunks, as a download arrives
    sha256.update(std::string_view(weights).substr(i, 100000));
  }
  EXPECT_EQ(sha256.hex(), "9efd8bb4f33d69aab4e26ed8ee0f1b5231d1f95e0e51753ef4a39a35a0517b2a");
}

TEST(Digest, EtagKinds) {
  EXPECT_EQ(etag_kind("9efd8bb4f33d69aab4e26ed8ee0f1b5231d1f95e0e51753ef4a39a35a0517b2a"),
            EtagKind::kSha256);
  EXPECT_EQ(etag_kind("5a529cef0e4f72d03430134d3c2819d8686fae37"), EtagKind::kGitSha1);
  EXPECT_EQ(etag_kind("5A529CEF0E4F72D03430134D3C2819D8686FAE37"), EtagKind::kOpaque);
  EXPECT_EQ(etag_kind("abc-123"), EtagKind::kOpaque);
  ContentHasher opaque(EtagKind::kOpaque, 3);
  opaque.update("abc");
  EXPECT_EQ(opaque.hex(), "");
}

TEST(Digest, EtagsAreNormalisedAsNormalizeEtag) {
  EXPECT_EQ(normalize_etag("\"abc\""), "abc");
  EXPECT_EQ(normalize_etag("W/\"abc\""), "abc");
  EXPECT_EQ(normalize_etag("abc"), "abc");
}

}  // namespace
}  // namespace cola::hub

// Content hashes, manifests and DVC files, each checked against an independent implementation:
// coreutils' md5sum/sha256sum, and DVC's documented .dir algorithm written out by hand (and, where
// python3 is installed, computed by Python's own json.dumps, which is what DVC calls).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <array>
#include <cstdio>

#include "core/error.h"
#include "core/file.h"
#include "support/error_message.h"
#include "support/shared_data.h"
#include "track/dvc.h"
#include "track/manifest.h"

namespace cola::track {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;

// stdout of a shell command, trailing newline removed; "" when it fails.
std::string shell(const std::string& cmd) {
  std::FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return "";
  std::array<char, 512> buf{};
  std::string out;
  while (std::fgets(buf.data(), buf.size(), p) != nullptr) out += buf.data();
  if (::pclose(p) != 0) return "";
  if (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

std::string first_word(const std::string& s) { return s.substr(0, s.find(' ')); }

class VersioningTest : public ::testing::Test {
 protected:
  void SetUp() override {
    write_file_atomic(dir_ / "ckpt/config.json", "{\"hidden_size\": 128}\n");
    write_file_atomic(dir_ / "ckpt/model.safetensors", std::string(3000, '\x07'));
    write_file_atomic(dir_ / "ckpt/b/c.txt", "nested\n");
    write_file_atomic(dir_ / "ckpt/b.txt", "b\n");
  }
  test::TempDir dir_;
};

TEST_F(VersioningTest, DirectoryHashFollowsDvcAlgorithm) {
  const auto md5 = [&](const char* rel) {
    return first_word(shell("md5sum '" + (dir_ / rel).string() + "'"));
  };
  // DVC: json.dumps(sorted entries, sort_keys=True); "b.txt" < "b/c.txt" because '.' < '/'.
  const std::string expected_listing =
      "[{\"md5\": \"" + md5("ckpt/b.txt") + "\", \"relpath\": \"b.txt\"}, {\"md5\": \"" +
      md5("ckpt/b/c.txt") + "\", \"relpath\": \"b/c.txt\"}, {\"md5\": \"" +
      md5("ckpt/config.json") + "\", \"relpath\": \"config.json\"}, {\"md5\": \"" +
      md5("ckpt/model.safetensors") + "\", \"relpath\": \"model.safetensors\"}]";
  const auto h = dvc_hash(dir_ / "ckpt");
  EXPECT_EQ(h.dir_listing, expected_listing);
  write_file_atomic(dir_ / "listing.json", expected_listing);
  EXPECT_EQ(h.md5, md5("listing.json") + ".dir");
  EXPECT_EQ(h.nfiles, 4);
  EXPECT_EQ(h.size, 21U + 3000U + 7U + 2U);

  // The same through Python's json module, where installed (DVC's own serializer).
  const std::string py = shell(
      "python3 -c 'import json,hashlib,os,sys; d=sys.argv[1]; e=[]\n"
      "for r,_,fs in os.walk(d):\n"
      " for f in fs:\n"
      "  p=os.path.join(r,f); e.append({\"md5\": hashlib.md5(open(p,\"rb\").read()).hexdigest(),"
      " \"relpath\": os.path.relpath(p,d)})\n"
      "e.sort(key=lambda x: x[\"relpath\"]); "
      "print(hashlib.md5(json.dumps(e, sort_keys=True).encode()).hexdigest())' '" +
      (dir_ / "ckpt").string() + "' 2>/dev/null");
  if (py.empty()) {
    std::fprintf(stderr, "note: python3 not available; skipped the json.dumps cross-check\n");
  } else {
    EXPECT_EQ(h.md5, py + ".dir");
  }
}

TEST_F(VersioningTest, ListingEscapesLikePython) {
  // ensure_ascii: non-ASCII as \uXXXX (surrogate pairs above U+FFFF), quotes and controls escaped.
  EXPECT_EQ(dvc_dir_listing({{"\xc3\xa9\"\t.txt", "m1"}, {"\xf0\x9f\x98\x80", "m2"}}),
            "[{\"md5\": \"m1\", \"relpath\": \"\\u00e9\\\"\\t.txt\"}, "
            "{\"md5\": \"m2\", \"relpath\": \"\\ud83d\\ude00\"}]");
}

TEST_F(VersioningTest, DvcFileForDirectoryAndFile) {
  const auto path = write_dvc_file(dir_ / "ckpt/");
  EXPECT_EQ(path, dir_ / "ckpt.dvc");
  const auto h = dvc_hash(dir_ / "ckpt");
  EXPECT_EQ(read_file(path), "outs:\n- md5: " + h.md5 +
                                 "\n  size: 3030\n  nfiles: 4\n"
                                 "  hash: md5\n  path: ckpt\n");
  const fs::path model = dir_ / "ckpt/model.safetensors";
  EXPECT_EQ(read_file(write_dvc_file(model)),
            "outs:\n- md5: " + first_word(shell("md5sum '" + model.string() + "'")) +
                "\n  size: 3000\n  hash: md5\n  path: model.safetensors\n");
}

TEST_F(VersioningTest, ManifestVerifiesAndNamesTamperedFiles) {
  write_file_atomic(dir_ / "train.tsv", "a\t1\n");
  ManifestInfo info;
  info.config_yaml = "seed: 1\n";
  info.data_files = {dir_ / "train.tsv"};
  info.metrics = {{"valid/mcc", 0.25}};
  info.code_version = "v0.1.0-3-gabcdef0";
  const auto path = write_manifest(dir_ / "ckpt", info);
  EXPECT_EQ(path, dir_ / "ckpt.manifest.json");
  const auto m = nlohmann::json::parse(read_file(path));
  EXPECT_EQ(m["files"].size(), 4U);
  EXPECT_EQ(m["files"][0]["path"], "b.txt");
  EXPECT_EQ(m["data"][0]["sha256"],
            first_word(shell("sha256sum '" + (dir_ / "train.tsv").string() + "'")));
  EXPECT_EQ(m["config_sha256"], first_word(shell("printf 'seed: 1\\n' | sha256sum")));
  EXPECT_EQ(m["code_version"], "v0.1.0-3-gabcdef0");
  EXPECT_EQ(m["metrics"]["valid/mcc"], 0.25);

  auto report = verify_manifest(dir_ / "ckpt");
  EXPECT_TRUE(report.problems.empty());
  EXPECT_EQ(report.files_checked, 4U);
  EXPECT_TRUE(verify_manifest(path).problems.empty());  // the manifest path works too

  // Same size, one byte different.
  std::string bytes = read_file(dir_ / "ckpt/model.safetensors");
  bytes[1234] = 'x';
  write_file_atomic(dir_ / "ckpt/model.safetensors", bytes);
  write_file_atomic(dir_ / "ckpt/extra.bin", "?");
  fs::remove(dir_ / "ckpt/b.txt");
  report = verify_manifest(dir_ / "ckpt");
  ASSERT_EQ(report.problems.size(), 3U);
  EXPECT_EQ(report.problems[0], (dir_ / "ckpt/b.txt").string() + ": missing");
  EXPECT_THAT(report.problems[1], HasSubstr((dir_ / "ckpt/model.safetensors").string() +
                                            ": differs from the manifest"));
  EXPECT_EQ(report.problems[2], (dir_ / "ckpt/extra.bin").string() + ": not in the manifest");
}

TEST_F(VersioningTest, ManifestOfASingleFile) {
  const fs::path model = dir_ / "model.onnx";
  write_file_atomic(model, "onnx bytes");
  EXPECT_EQ(write_manifest(model, {}), dir_ / "model.onnx.manifest.json");
  EXPECT_TRUE(verify_manifest(model).problems.empty());
  write_file_atomic(model, "onnx bytez");
  const auto report = verify_manifest(model);
  ASSERT_EQ(report.problems.size(), 1U);
  EXPECT_THAT(report.problems[0], HasSubstr(model.string() + ": differs"));
}

TEST_F(VersioningTest, MissingOrMalformedManifestIsAnError) {
  EXPECT_THAT(test::error_message<Error>([&] { verify_manifest(dir_ / "ckpt"); }),
              HasSubstr("ckpt: no manifest"));
  write_file_atomic(dir_ / "ckpt.manifest.json", "{\"format\": \"other\"}");
  EXPECT_THAT(test::error_message<Error>([&] { verify_manifest(dir_ / "ckpt"); }),
              HasSubstr("ckpt.manifest.json: not a cola manifest"));
  EXPECT_THAT(test::error_message<Error>([&] { write_manifest(dir_ / "nothing", {}); }),
              HasSubstr("nothing: no such file or directory"));
}

TEST(GitDescribe, SourceTreeOrEmpty) {
  // A checkout gives a version; a directory outside any repository gives "".
  EXPECT_EQ(git_describe("/"), "");
  if (fs::exists(test::source_dir() / ".git")) {
    EXPECT_FALSE(git_describe(test::source_dir()).empty());
  }
}

}  // namespace
}  // namespace cola::track

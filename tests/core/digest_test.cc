// core/digest.h, the one wrapper of libcrypto's digests: the published test vectors, files hashed
// as coreutils hashes them, and an unreadable file named in the error.
#include "core/digest.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <memory>
#include <string>

#include "core/error.h"
#include "core/file.h"
#include "support/shared_data.h"

namespace cola::core {
namespace {

// The first word of a shell command's output (coreutils' digest of a file).
std::string first_word_of(const std::string& cmd) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> pipe(::popen(cmd.c_str(), "r"), ::pclose);
  std::array<char, 256> buf{};
  std::string out;
  while (pipe && std::fgets(buf.data(), buf.size(), pipe.get()) != nullptr) out += buf.data();
  return out.substr(0, out.find(' '));
}

TEST(Digest, PublishedTestVectors) {
  // RFC 1321's, FIPS 180's "abc".
  EXPECT_EQ(digest_hex("", DigestAlgorithm::md5), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(digest_hex("abc", DigestAlgorithm::md5), "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(digest_hex("abc", DigestAlgorithm::sha1), "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Digest, IncrementalEqualsWhole) {
  Digest d(DigestAlgorithm::sha256);
  d.update("a");
  d.update("");
  d.update("bc");
  EXPECT_EQ(d.hex(), sha256_hex("abc"));
}

TEST(Digest, FilesAsCoreutilsHashesThem) {
  test::TempDir dir;
  const auto f = dir / "model.safetensors";
  // Over the 1 MiB block, so that the file is read in more than one.
  std::string bytes(size_t{3} << 19, '\0');
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>(i * 131 % 251);
  write_file_atomic(f, bytes);
  const auto md5 = digest_file(f, DigestAlgorithm::md5);
  EXPECT_EQ(md5.hex, first_word_of("md5sum '" + f.string() + "'"));
  EXPECT_EQ(md5.size, bytes.size());
  EXPECT_EQ(sha256_file(f), first_word_of("sha256sum '" + f.string() + "'"));
  EXPECT_EQ(sha256_file(f), sha256_hex(bytes));
}

TEST(Digest, AnUnreadableFileIsNamed) {
  test::TempDir dir;
  const auto missing = dir / "missing.bin";
  try {
    (void)sha256_file(missing);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(missing.string() + ": cannot open"), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace cola::core

// `cola tokenize` and `cola vocab build` driven as a user would, on files made here.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/file.h"
#include "support/run_cli.h"
#include "support/shared_data.h"

namespace cola::test {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr const char* kVocab = "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nhello\n,\nworld\n!\n";

TEST(TextCli, TokenizePrintsOneJsonLinePerText) {
  TempDir dir;
  write_file_atomic(dir / "vocab.txt", kVocab);
  const auto r =
      run_cli({"tokenize", "--vocab", (dir / "vocab.txt").string(), "Hello, World!", "hi"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "{\"text\":\"Hello, World!\",\"ids\":[2,5,6,7,8,3],"
            "\"tokens\":[\"[CLS]\",\"hello\",\",\",\"world\",\"!\",\"[SEP]\"]}\n"
            "{\"text\":\"hi\",\"ids\":[2,1,3],\"tokens\":[\"[CLS]\",\"[UNK]\",\"[SEP]\"]}\n");
}

TEST(TextCli, TokenizeReadsStdinAndTruncates) {
  TempDir dir;
  write_file_atomic(dir / "vocab.txt", kVocab);
  const auto r = run_cli({"tokenize", "--vocab", (dir / "vocab.txt").string(), "--max-length", "3",
                          "--no-lowercase", "--input", "-"},
                         {}, "hello world\r\nHello\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(
      r.out,
      "{\"text\":\"hello world\",\"ids\":[2,5,3],\"tokens\":[\"[CLS]\",\"hello\",\"[SEP]\"]}\n"
      "{\"text\":\"Hello\",\"ids\":[2,1,3],\"tokens\":[\"[CLS]\",\"[UNK]\",\"[SEP]\"]}\n");
  // A lone "-" is the short form of --input -.
  const auto dash = run_cli({"tokenize", "--vocab", (dir / "vocab.txt").string(), "--max-length",
                             "3", "--no-lowercase", "-"},
                            {}, "hello world\r\nHello\n");
  ASSERT_EQ(dash.exit_code, 0) << dash.err;
  EXPECT_EQ(dash.out, r.out);
}

TEST(TextCli, TokenizeErrors) {
  TempDir dir;
  write_file_atomic(dir / "vocab.txt", kVocab);
  write_file_atomic(dir / "dup.txt", std::string(kVocab) + "hello\n");
  write_file_atomic(dir / "bad.txt", "fine\nbad \xC3(\n");
  const std::string vocab = (dir / "vocab.txt").string();
  struct Case {
    std::vector<std::string> args;
    int code;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"tokenize", "--vocab", vocab}, 2, "give either texts or --input FILE"},
      {{"tokenize", "--vocab", vocab, "--max-length", "1", "x"}, 2, "max_length must be"},
      {{"tokenize", "--vocab", (dir / "dup.txt").string(), "x"},
       1,
       "dup.txt:10: duplicate token 'hello' (first at line 6)"},
      {{"tokenize", "--vocab", vocab, "--input", (dir / "bad.txt").string()},
       1,
       "bad.txt:2: text is not valid UTF-8 (byte 4)"},
  };
  for (const auto& c : cases) {
    const auto r = run_cli(c.args);
    EXPECT_EQ(r.exit_code, c.code) << r.err;
    EXPECT_EQ(count_lines(r.err), 1) << r.err;
    EXPECT_THAT(r.err, StartsWith("cola: error: "));
    EXPECT_THAT(r.err, HasSubstr(c.message));
  }
}

TEST(TextCli, VocabBuildIsDeterministicAndUsable) {
  TempDir dir;
  write_file_atomic(dir / "corpus.tsv",
                    "s\t1\t\tThe cat sat on the mat.\ns\t0\t*\tThe mat sat on the cat.\n");
  const auto build = [&](const std::string& out) {
    return run_cli({"vocab", "build", "--input", (dir / "corpus.tsv").string(), "--size", "25",
                    "--min-frequency", "1", "--output", (dir / out).string()});
  };
  const auto r = build("a/vocab.txt");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(build("b.txt").exit_code, 0);
  const std::string vocab = read_file(dir / "a/vocab.txt");
  EXPECT_EQ(vocab, read_file(dir / "b.txt"));
  EXPECT_THAT(vocab, StartsWith("[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\n"));
  EXPECT_EQ(count_lines(vocab), 25);  // the corpus has merges for 27
  const auto t = run_cli({"tokenize", "--vocab", (dir / "a/vocab.txt").string(), "the cat"});
  ASSERT_EQ(t.exit_code, 0) << t.err;
  EXPECT_THAT(t.out, HasSubstr("\"tokens\":[\"[CLS]\",\"the\",\"cat\",\"[SEP]\"]"));
}

TEST(TextCli, VocabBuildErrors) {
  TempDir dir;
  const auto missing = run_cli({"vocab", "build", "--input", (dir / "none.txt").string(), "--size",
                                "100", "--output", (dir / "v.txt").string()});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.err, HasSubstr("none.txt: cannot open"));
  const auto small = run_cli({"vocab", "build", "--input", "x", "--size", "5", "--output", "v"});
  EXPECT_EQ(small.exit_code, 2);
  EXPECT_THAT(small.err, HasSubstr("--size must be more than the 5 special tokens, got 5"));
  EXPECT_EQ(run_cli({"vocab"}).exit_code, 2);  // `build` is required
}

}  // namespace
}  // namespace cola::test

#include "text/vocab.h"

#include <gtest/gtest.h>

#include <string>

#include "core/error.h"
#include "core/file.h"
#include "support/shared_data.h"

namespace cola::text {
namespace {

const std::string kSpecials = "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\n";

// The message of the cola::Error that loading `content` from a file named vocab.txt throws.
std::string load_error(const std::string& content) {
  test::TempDir dir;
  const auto path = dir / "vocab.txt";
  write_file_atomic(path, content);
  try {
    Vocab::load(path);
  } catch (const Error& e) {
    const std::string msg = e.what();
    const std::string prefix = path.string();
    // Report relative to the file name, so expectations do not depend on the temp directory.
    return msg.starts_with(prefix) ? "vocab.txt" + msg.substr(prefix.size()) : msg;
  }
  return "no error";
}

TEST(VocabTest, IdsAreLineNumbers) {
  const Vocab v = Vocab::parse(kSpecials + "hello\n##lo\n", "v");
  EXPECT_EQ(v.size(), 7);
  EXPECT_EQ(v.find("hello"), 5);
  EXPECT_EQ(v.find("##lo"), 6);
  EXPECT_EQ(v.find_continuation("lo"), 6);
  EXPECT_EQ(v.find_continuation("hello"), -1);
  EXPECT_EQ(v.find("lo"), -1);
  EXPECT_EQ(v.token(5), "hello");
  EXPECT_EQ(v.special().mask, 4);
  EXPECT_EQ(v.special().unk, 1);
}

TEST(VocabTest, CrlfAndMissingTrailingNewlineAndBom) {
  const Vocab v =
      Vocab::parse("\xEF\xBB\xBF[PAD]\r\n[UNK]\r\n[CLS]\r\n[SEP]\r\n[MASK]\r\nlast", "v");
  EXPECT_EQ(v.size(), 6);
  EXPECT_EQ(v.find("[PAD]"), 0);
  EXPECT_EQ(v.find("last"), 5);
  EXPECT_EQ(v.token(4), "[MASK]");
}

TEST(VocabTest, DuplicateTokenNamesBothLines) {
  EXPECT_EQ(load_error(kSpecials + "foo\nbar\nfoo\n"),
            "vocab.txt:8: duplicate token 'foo' (first at line 6)");
}

TEST(VocabTest, MissingSpecialToken) {
  EXPECT_EQ(load_error("[PAD]\n[UNK]\n[CLS]\n[SEP]\nfoo\n"),
            "vocab.txt: missing special token '[MASK]'");
}

TEST(VocabTest, NonUtf8Line) {
  EXPECT_EQ(load_error(kSpecials + "ok\nbad\xFF\n"), "vocab.txt:7: token is not valid UTF-8");
}

TEST(VocabTest, EmptyLine) {
  EXPECT_EQ(load_error(kSpecials + "a\n\nb\n"), "vocab.txt:7: empty token");
}

TEST(VocabTest, MissingFileNamesIt) {
  test::TempDir dir;
  try {
    Vocab::load(dir / "absent.txt");
    FAIL() << "expected cola::Error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()).rfind((dir / "absent.txt").string() + ": cannot open", 0), 0u)
        << e.what();
  }
}

TEST(VocabTest, LoadsBertBaseUncased) {
  COLA_SHARED_PATH_OR_SKIP(path, "data/vocab/bert-base-uncased-vocab.txt");
  const Vocab v = Vocab::load(path);
  EXPECT_EQ(v.size(), 30522);
  EXPECT_EQ(v.special().pad, 0);
  EXPECT_EQ(v.special().unk, 100);
  EXPECT_EQ(v.special().cls, 101);
  EXPECT_EQ(v.special().sep, 102);
  EXPECT_EQ(v.special().mask, 103);
  EXPECT_EQ(v.find("##ization"), 3989);
  for (int64_t id = 0; id < v.size(); ++id) {
    ASSERT_EQ(v.find(v.token(id)), id) << v.token(id);
  }
}

}  // namespace
}  // namespace cola::text

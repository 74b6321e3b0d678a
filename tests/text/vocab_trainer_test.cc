#include "text/vocab_trainer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/error.h"
#include "core/file.h"
#include "support/shared_data.h"
#include "text/corpus.h"
#include "text/tokenizer.h"

namespace cola::text {
namespace {

using ::testing::ElementsAre;

const std::vector<std::string> kCorpus = {"The cat sat on the mat.",
                                          "The dog sat on the log.",
                                          "A cat and a dog met.",
                                          "Cats and dogs don't mix, Bob!",
                                          "The mat is flat; the log is not.",
                                          "Zebras? Never.",
                                          "Café owners sell coffee.",
                                          "The cat sat.",
                                          "The dog sat."};

std::vector<std::string> train(const std::vector<std::string>& sentences, TrainerOptions options) {
  WordCounts counts;
  count_words(sentences, options, counts);
  return train_wordpiece(counts, options);
}

TEST(TrainerTest, SpecialsThenAlphabetThenMerges) {
  // "ab" x3 and "abc" x2: alphabet a b c, "##b" "##c"; pair (a,##b) occurs 5 times, then the new
  // (ab,##c) twice.
  const WordCounts counts = {{"ab", 3}, {"abc", 2}};
  TrainerOptions options{.vocab_size = 100, .min_frequency = 1};
  EXPECT_THAT(train_wordpiece(counts, options),
              ElementsAre("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "a", "b", "c", "##b", "##c",
                          "ab", "abc"));
  options.min_frequency = 3;  // (ab,##c) occurs only twice
  EXPECT_THAT(train_wordpiece(counts, options).back(), "ab");
  options.vocab_size = 10;  // the alphabet alone may already exceed the size; merges then stop
  EXPECT_EQ(train_wordpiece(counts, options).size(), 10u);
}

TEST(TrainerTest, TiesGoToTheSmallerPairIds) {
  // (x,##y) and (y,##x) both occur twice; x has the smaller id, so "xy" is merged first.
  const WordCounts counts = {{"xy", 2}, {"yx", 2}};
  const auto vocab = train_wordpiece(counts, {.vocab_size = 10, .min_frequency = 1});
  EXPECT_THAT(vocab, ElementsAre("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "x", "y", "##y",
                                 "##x", "xy"));
}

TEST(TrainerTest, TrainedVocabCoversItsCorpus) {
  // This corpus runs out of pairs seen twice at 63 tokens, so 60 is reached by merges alone.
  const TrainerOptions options{.vocab_size = 60, .min_frequency = 2};
  const auto tokens = train(kCorpus, options);
  ASSERT_GE(tokens.size(), 5u);
  EXPECT_THAT(std::vector(tokens.begin(), tokens.begin() + 5),
              ElementsAre("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"));
  EXPECT_EQ(tokens.size(), 60u);
  EXPECT_NE(std::find(tokens.begin(), tokens.end(), "the"), tokens.end());
  const Tokenizer tokenizer(Vocab::from_tokens(tokens, "trained"));
  for (const auto& sentence : kCorpus) {
    const Encoding enc = tokenizer.encode(sentence, EncodeOptions{.with_tokens = true});
    EXPECT_EQ(std::count(enc.ids.begin(), enc.ids.end(), tokenizer.vocab().special().unk), 0)
        << sentence << " -> " << ::testing::PrintToString(enc.tokens);
  }
}

TEST(TrainerTest, LimitAlphabetKeepsTheMostFrequentCharacters) {
  const WordCounts counts = {{"aab", 5}, {"q", 1}, {"z", 1}};
  const auto vocab = train_wordpiece(counts, {.vocab_size = 100, .limit_alphabet = 2});
  // a and b survive; q and z (one occurrence each) are dropped.
  EXPECT_THAT(std::vector(vocab.begin() + 5, vocab.begin() + 7), ElementsAre("a", "b"));
  EXPECT_EQ(std::find(vocab.begin(), vocab.end(), "z"), vocab.end());
  const Tokenizer tokenizer(Vocab::from_tokens(vocab, "limited"));
  EXPECT_THAT(tokenizer.encode("z").ids, ElementsAre(2, 1, 3));  // [CLS] [UNK] [SEP]
}

TEST(TrainerTest, DeterministicByteIdenticalFiles) {
  ::cola::test::TempDir dir;
  const TrainerOptions options{.vocab_size = 90, .min_frequency = 1};
  write_vocab(dir / "a.txt", train(kCorpus, options));
  // The same sentences in another order give the same counts, so the same file.
  std::vector<std::string> reversed(kCorpus.rbegin(), kCorpus.rend());
  write_vocab(dir / "b.txt", train(reversed, options));
  const std::string a = read_file(dir / "a.txt");
  EXPECT_EQ(a, read_file(dir / "b.txt"));
  EXPECT_TRUE(a.starts_with("[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\n"));
  EXPECT_TRUE(a.ends_with("\n"));
  EXPECT_EQ(Vocab::load(dir / "a.txt").size(), 90);
}

TEST(TrainerTest, CasedTrainingKeepsCase) {
  const auto vocab =
      train({"Bob Bob Bob"}, {.vocab_size = 100, .min_frequency = 1, .lowercase = false});
  EXPECT_NE(std::find(vocab.begin(), vocab.end(), "Bob"), vocab.end());
  EXPECT_EQ(std::find(vocab.begin(), vocab.end(), "bob"), vocab.end());
}

TEST(CorpusTest, DetectsColaTsv) {
  EXPECT_TRUE(looks_like_cola_tsv("gj04\t1\t\tOur friends.\r\ngj04\t0\t*\tThem friends.\n"));
  EXPECT_FALSE(looks_like_cola_tsv("gj04\t2\t\tA label of 2.\n"));
  EXPECT_FALSE(looks_like_cola_tsv("gj04\t1\t\tGood.\njust a sentence\n"));
  EXPECT_FALSE(looks_like_cola_tsv("a\t1\tb\tc\td\n"));
  EXPECT_FALSE(looks_like_cola_tsv(""));
}

TEST(CorpusTest, ReadsSentencesFromTsvOrPlainText) {
  ::cola::test::TempDir dir;
  write_file_atomic(dir / "in.tsv", "gj04\t1\t\tOur friends.\ngj04\t0\t*\tThem friends.");
  EXPECT_THAT(read_sentences(dir / "in.tsv"), ElementsAre("Our friends.", "Them friends."));
  write_file_atomic(dir / "in.txt", "one\tsentence\r\n\ntwo\n");
  EXPECT_THAT(read_sentences(dir / "in.txt"), ElementsAre("one\tsentence", "two"));
  write_file_atomic(dir / "bad.txt", "fine\nbad \xC3\n");
  try {
    read_sentences(dir / "bad.txt");
    FAIL() << "expected cola::Error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), (dir / "bad.txt").string() + ":2: line is not valid UTF-8");
  }
}

TEST(TrainerTest, TrainsOnColaWithoutUnknownWords) {
  COLA_SHARED_PATH_OR_SKIP(train_tsv, "data/cola/raw/in_domain_train.tsv");
  const auto sentences = read_sentences(train_tsv);
  ASSERT_EQ(sentences.size(), 8551u);
  const TrainerOptions options{.vocab_size = 2000, .min_frequency = 2};
  const Tokenizer tokenizer(Vocab::from_tokens(train(sentences, options), "cola"));
  EXPECT_EQ(tokenizer.vocab().size(), 2000);
  std::vector<int64_t> ids;
  for (const auto& sentence : sentences) tokenizer.encode_pieces(sentence, ids);
  EXPECT_EQ(std::count(ids.begin(), ids.end(), tokenizer.vocab().special().unk), 0);
}

}  // namespace
}  // namespace cola::text

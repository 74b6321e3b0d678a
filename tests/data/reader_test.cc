// Readers: each format's good path, format detection, label configuration, missing files.
#include "data/reader.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "core/file.h"
#include "data/format.h"
#include "data/label_set.h"
#include "support/shared_data.h"

namespace cola::data {
namespace {

Split parse(std::string_view content, const std::string& name = "train.tsv",
            const config::DataConfig& cfg = {}) {
  return parse_split(content, name, cfg);
}

template <class F>
std::string usage_message(F&& f) {
  try {
    f();
  } catch (const UsageError& e) {
    return e.what();
  }
  return "(no UsageError)";
}

TEST(ColaTsv, ReadsSentencesLabelsAndLines) {
  const Split s = parse("gj04\t1\t\tThe dog barked.\r\n\nab12\t0\t*\tBarked dog the.\n");
  ASSERT_EQ(s.examples.size(), 2u);
  EXPECT_EQ(s.examples[0].sentence, "The dog barked.");  // the '\r' of CRLF is dropped
  EXPECT_EQ(s.examples[0].label, 1);
  EXPECT_EQ(s.examples[0].line, 1);
  EXPECT_EQ(s.examples[1].sentence, "Barked dog the.");
  EXPECT_EQ(s.examples[1].label, 0);
  EXPECT_EQ(s.examples[1].line, 3);  // the blank line 2 is ignored but still counted
  EXPECT_EQ(s.skipped, 0);
}

TEST(GlueTsv, FindsColumnsByHeaderAndTakesNamesOrIds) {
  const Split s =
      parse("\xEF\xBB\xBFindex\tsentence\tlabel\n7\tShe left.\tacceptable\n8\tLeft she.\t0\n");
  ASSERT_EQ(s.examples.size(), 2u);
  EXPECT_EQ(s.examples[0].sentence, "She left.");
  EXPECT_EQ(s.examples[0].label, 1);
  EXPECT_EQ(s.examples[0].line, 2);
  EXPECT_EQ(s.examples[1].label, 0);
}

TEST(Jsonl, ReadsNamesAndIntegersAndIgnoresOtherKeys) {
  const Split s = parse(
      "{\"sentence\": \"It rains.\", \"label\": \"acceptable\", \"idx\": 3}\n"
      "\n"
      "{\"label\": 0, \"sentence\": \"Rains it \\u00e9.\"}\n",
      "dev.jsonl");
  ASSERT_EQ(s.examples.size(), 2u);
  EXPECT_EQ(s.examples[0].sentence, "It rains.");
  EXPECT_EQ(s.examples[0].label, 1);
  EXPECT_EQ(s.examples[1].sentence, "Rains it \xC3\xA9.");
  EXPECT_EQ(s.examples[1].label, 0);
  EXPECT_EQ(s.examples[1].line, 3);
}

TEST(Format, AutoPicksByExtensionAndHeader) {
  EXPECT_EQ(detect_format(Format::auto_detect, "a.jsonl", "gj04\t1\t\tx"), Format::jsonl);
  EXPECT_EQ(detect_format(Format::auto_detect, "a.tsv", "idx\tsentence\tlabel\n"),
            Format::glue_tsv);
  EXPECT_EQ(detect_format(Format::auto_detect, "a.tsv", "gj04\t1\t\tThe sentence is here.\n"),
            Format::cola_tsv);
  EXPECT_EQ(detect_format(Format::auto_detect, "a.tsv", "sentence\tlabel\n"), Format::glue_tsv);
  // An explicit format wins over the file's look.
  EXPECT_EQ(detect_format(Format::cola_tsv, "a.jsonl", ""), Format::cola_tsv);
}

TEST(Format, ExplicitFormatIsUsed) {
  config::DataConfig cfg;
  cfg.format = "jsonl";
  EXPECT_EQ(parse("{\"sentence\": \"Yes.\", \"label\": 1}\n", "x.tsv", cfg).examples.size(), 1u);
}

TEST(Options, BadValuesListTheValidOnes) {
  EXPECT_EQ(usage_message([] { parse_format("csv"); }),
            "data.format 'csv' is not one of: auto, cola_tsv, glue_tsv, jsonl");
  config::DataConfig cfg;
  cfg.on_bad_row = "ignore";
  EXPECT_EQ(usage_message([&] { parse("", "x.tsv", cfg); }),
            "data.on_bad_row 'ignore' is not one of: error, skip");
}

TEST(Labels, DefaultsAreUnacceptableZeroAcceptableOne) {
  const LabelSet labels(config::DataConfig{}.labels);
  EXPECT_EQ(labels.parse("unacceptable"), 0);
  EXPECT_EQ(labels.parse("acceptable"), 1);
  EXPECT_EQ(labels.parse("1"), 1);
  EXPECT_EQ(labels.parse("2"), std::nullopt);
  EXPECT_EQ(labels.parse("-0"), std::nullopt);
  EXPECT_EQ(labels.parse(""), std::nullopt);
  EXPECT_EQ(labels.describe(), "0 (unacceptable), 1 (acceptable)");
}

TEST(Labels, ConfiguredNamesAreUsed) {
  config::DataConfig cfg;
  cfg.labels = {"bad", "good", "unsure"};
  const Split s = parse("x\tgood\t\tA.\nx\t2\t\tB.\n", "t.tsv", cfg);
  ASSERT_EQ(s.examples.size(), 2u);
  EXPECT_EQ(s.examples[0].label, 1);
  EXPECT_EQ(s.examples[1].label, 2);
  try {
    parse("x\tacceptable\t\tA.\n", "t.tsv", cfg);
    FAIL() << "expected a throw";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(),
                 "t.tsv:1: label 'acceptable' is not one of: 0 (bad), 1 (good), 2 (unsure)");
  }
}

TEST(Labels, InvalidLabelSetsAreUsageErrors) {
  EXPECT_EQ(usage_message([] { LabelSet({}); }),
            "data.labels: at least one label name is required");
  EXPECT_EQ(usage_message([] { LabelSet({"a", ""}); }), "data.labels: a label name is empty");
  EXPECT_EQ(usage_message([] {
              LabelSet({"a", "a"});
            }),
            "data.labels: label name 'a' appears twice");
}

TEST(Files, ReadsFromDiskAndNamesMissingFiles) {
  test::TempDir tmp;
  write_file_atomic(tmp / "train.tsv", "s\t1\t\tFine.\n");
  config::DataConfig cfg;
  cfg.dir = tmp.path().string();
  cfg.valid_file = "";
  const Splits splits = read_splits(cfg);
  EXPECT_EQ(splits.train.examples.size(), 1u);
  EXPECT_FALSE(splits.valid.has_value());
  cfg.valid_file = "dev.tsv";
  try {
    read_splits(cfg);
    FAIL() << "expected a throw";
  } catch (const Error& e) {
    const std::string where = (tmp / "dev.tsv").string();
    EXPECT_EQ(std::string(e.what()), "data.valid_file not found: looked for " + where +
                                         " (data.dir=" + cfg.dir + ", data.valid_file=dev.tsv)");
  }
}

TEST(Files, MissingColaSaysHowToGetIt) {
  config::DataConfig cfg;
  cfg.name = "cola";
  cfg.dir = "/nonexistent/cola/raw";
  cfg.train_file = "in_domain_train.tsv";
  try {
    split_path(cfg, cfg.train_file, "data.train_file");
    FAIL() << "expected a throw";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(),
                 "data.train_file not found: looked for /nonexistent/cola/raw/in_domain_train.tsv "
                 "(data.dir=/nonexistent/cola/raw, data.train_file=in_domain_train.tsv); get CoLA "
                 "with: cola data download --dir /nonexistent/cola/raw");
  }
}

}  // namespace
}  // namespace cola::data

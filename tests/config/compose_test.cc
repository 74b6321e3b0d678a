#include <gtest/gtest.h>

#include "config/tree.h"
#include "config_fixture.h"
#include "core/error.h"

namespace cola::config {
namespace {

using ::testing::HasSubstr;

std::string at(const Composed& c, const std::string& path) { return find(c.tree, path).Scalar(); }

TEST_F(ConfigDirTest, DefaultsListPlacesEachGroupUnderItsName) {
  const auto c = run({});
  EXPECT_EQ(at(c, "model.hidden_size"), "64");
  EXPECT_EQ(at(c, "training.lr"), "0.001");
  EXPECT_EQ(at(c, "seed"), "1");
  EXPECT_FALSE(find(c.tree, "defaults").IsDefined());
  ASSERT_EQ(c.choices.size(), 2u);
  EXPECT_EQ(c.choices[0].option, "small");
}

TEST_F(ConfigDirTest, GroupAndValueOverrides) {
  const auto c = run({"model=big", "training.max_epochs=3", "model.layers=4"});
  EXPECT_EQ(at(c, "model.name"), "big");
  EXPECT_EQ(at(c, "model.layers"), "4");  // value overrides apply after the group switch
  EXPECT_EQ(at(c, "training.max_epochs"), "3");
  EXPECT_EQ(at(c, "run.dir"), "out/big");
}

TEST_F(ConfigDirTest, SelfPositionDecidesWhoWins) {
  write("config.yaml", "defaults:\n  - _self_\n  - model: small\nmodel:\n  hidden_size: 1\n");
  EXPECT_EQ(at(run({}), "model.hidden_size"), "64");  // the group came after _self_
  write("config.yaml", "defaults:\n  - model: small\nmodel:\n  hidden_size: 1\n");
  EXPECT_EQ(at(run({}), "model.hidden_size"), "1");  // no _self_: the primary config wins
}

TEST_F(ConfigDirTest, AddRemoveForce) {
  auto c = run({"+new.key=1", "~seed", "++training.lr=0.5", "++other=x"});
  EXPECT_EQ(at(c, "new.key"), "1");
  EXPECT_FALSE(find(c.tree, "seed").IsDefined());
  EXPECT_EQ(at(c, "training.lr"), "0.5");
  EXPECT_EQ(at(c, "other"), "x");
  c = run({"+extra=on", "~training"});
  EXPECT_EQ(at(c, "extra.flag"), "true");
  EXPECT_FALSE(find(c.tree, "training").IsDefined());
}

TEST_F(ConfigDirTest, ValuesAreYaml) {
  const auto c = run({"+l=[1, 2]", "+m={a: 1}", "+s='a b'", "+e="});
  EXPECT_TRUE(find(c.tree, "l").IsSequence());
  EXPECT_EQ(find(c.tree, "m.a").Scalar(), "1");
  EXPECT_EQ(at(c, "s"), "a b");
  EXPECT_EQ(at(c, "e"), "");
}

TEST_F(ConfigDirTest, MergeOrderLastOverrideWins) {
  EXPECT_EQ(at(run({"training.lr=1", "training.lr=2"}), "training.lr"), "2");
}

TEST_F(ConfigDirTest, UnknownKeyNamesItSuggestsPlusAndTheClosestKey) {
  EXPECT_EQ(error_of({"training.max_epoch=3"}),
            "could not override 'training.max_epoch': key not found; use "
            "'+training.max_epoch=3' to add it; did you mean 'training.max_epochs'?");
  EXPECT_EQ(error_of({"zzz.qqq=3"}),
            "could not override 'zzz.qqq': key not found; use '+zzz.qqq=3' to add it");
}

TEST_F(ConfigDirTest, AddingAnExistingKeyAndRemovingAMissingOneFail) {
  EXPECT_EQ(error_of({"+seed=2"}),
            "could not add 'seed': the key already exists; to change it use 'seed=2'");
  EXPECT_EQ(error_of({"~sed"}), "could not remove 'sed': key not found; did you mean 'seed'?");
  EXPECT_EQ(error_of({"~seed=7"}), "could not remove 'seed': its value is not '7'");
}

TEST_F(ConfigDirTest, UnknownGroupOptionListsTheAvailableOnes) {
  EXPECT_EQ(error_of({"model=huge"}),
            "model=huge: could not find 'model/huge'; available options in 'model': big, small");
  EXPECT_EQ(error_of({"extra=on"}),
            "extra=on: group 'extra' is not in the defaults list; to append it use +extra=on");
  EXPECT_EQ(
      error_of({"+model=big"}),
      "+model=big: group 'model' is already in the defaults list; to change it use model=big");
}

TEST_F(ConfigDirTest, AGroupOptionCanStartFromASibling) {
  write("model/wide.yaml", "defaults:\n  - small\n  - _self_\nname: wide\nhidden_size: 96\n");
  auto c = run({"model=wide"});
  EXPECT_EQ(at(c, "model.name"), "wide");
  EXPECT_EQ(at(c, "model.hidden_size"), "96");
  EXPECT_EQ(at(c, "model.layers"), "2");  // from small.yaml
  EXPECT_FALSE(find(c.tree, "model.defaults").IsDefined());
  // _self_ first: the sibling's keys win.
  write("model/wide.yaml", "defaults:\n  - _self_\n  - small\nhidden_size: 96\n");
  EXPECT_EQ(at(run({"model=wide"}), "model.hidden_size"), "64");
  // Chains nest; a value override still applies last.
  write("model/wider.yaml", "defaults: [wide]\nlayers: 3\n");
  c = run({"model=wider", "model.layers=5"});
  EXPECT_EQ(at(c, "model.hidden_size"), "64");
  EXPECT_EQ(at(c, "model.layers"), "5");
}

TEST_F(ConfigDirTest, BadSiblingDefaultsAreNamed) {
  write("model/wide.yaml", "defaults:\n  - tiny\nname: wide\n");
  EXPECT_THAT(error_of({"model=wide"}),
              HasSubstr("model/wide.yaml:2:5: could not find 'model/tiny'; available options in "
                        "'model': big, small, wide"));
  write("model/wide.yaml", "defaults:\n  - training: default\n");
  EXPECT_THAT(error_of({"model=wide"}),
              HasSubstr("model/wide.yaml:2:5: a defaults entry of a group option is '_self_' or "
                        "another option of the same group"));
  write("model/wide.yaml", "defaults: [wide]\n");
  EXPECT_THAT(error_of({"model=wide"}),
              HasSubstr("model/wide.yaml: defaults nest more than 8 deep"));
}

TEST_F(ConfigDirTest, SweepsNeedMultirun) {
  EXPECT_EQ(error_of({"training.lr=1,2"}),
            "'training.lr=1,2' is a sweep; run it with -m/--multirun, or write a list as "
            "training.lr=[1,2]");
}

TEST_F(ConfigDirTest, BadYamlNamesFileLineAndColumn) {
  write("model/small.yaml", "name: small\nhidden_size: [64\n");
  EXPECT_THAT(error_of({}), HasSubstr("model/small.yaml:3:1: "));
  write("config.yaml", "defaults: 3\n");
  EXPECT_THAT(error_of({}), HasSubstr("config.yaml:1:11: 'defaults' must be a list"));
}

TEST_F(ConfigDirTest, MissingPrimaryConfigIsNamed) {
  ComposeOptions o;
  o.config_dir = dir_.path() / "nowhere";
  EXPECT_THAT(test::error_message<UsageError>([&] { compose(o); }),
              HasSubstr("nowhere/config.yaml: cannot open config file"));
}

}  // namespace
}  // namespace cola::config

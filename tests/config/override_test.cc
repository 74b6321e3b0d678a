#include "config/override.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace cola::config {
namespace {

TEST(Override, Kinds) {
  auto o = parse_override("training.max_epochs=3");
  EXPECT_EQ(o.kind, OverrideKind::set);
  EXPECT_EQ(o.key, "training.max_epochs");
  EXPECT_EQ(o.value, "3");
  EXPECT_EQ(parse_override("+new.key=1").kind, OverrideKind::add);
  EXPECT_EQ(parse_override("++key=v").kind, OverrideKind::force);
  o = parse_override("~training.lr");
  EXPECT_EQ(o.kind, OverrideKind::remove);
  EXPECT_FALSE(o.has_value);
  o = parse_override("~training.lr=0.1");
  EXPECT_TRUE(o.has_value);
  EXPECT_EQ(o.value, "0.1");
}

TEST(Override, EmptyValueAndValuesWithEquals) {
  auto o = parse_override("data.vocab=");
  EXPECT_TRUE(o.has_value);
  EXPECT_EQ(o.value, "");
  EXPECT_EQ(parse_override("a.b=x=y").value, "x=y");
}

TEST(Override, SweepsAreDetectedButListsAndQuotesAreNot) {
  EXPECT_EQ(parse_override("training.lr=1e-3,3e-4").sweep,
            (std::vector<std::string>{"1e-3", "3e-4"}));
  EXPECT_TRUE(parse_override("data.labels=[a,b]").sweep.empty());
  EXPECT_TRUE(parse_override("a='x,y'").sweep.empty());
  EXPECT_EQ(parse_override("a=range(1,5)").sweep.size(), 1u);
  EXPECT_EQ(split_top_level("[1,2],{a: 1, b: 2},3"),
            (std::vector<std::string>{"[1,2]", "{a: 1, b: 2}", "3"}));
}

TEST(Override, MalformedOverridesQuoteTheText) {
  try {
    parse_override("training.lr");
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_STREQ(e.what(),
                 "invalid override 'training.lr': missing '=value' (to remove a key, write "
                 "~training.lr)");
  }
  try {
    parse_override("=3");
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_STREQ(e.what(),
                 "invalid override '=3': expected key=value, +key=value, ++key=value or ~key");
  }
  EXPECT_THROW(parse_override("a..b=1"), UsageError);
  EXPECT_THROW(parse_override("a b=1"), UsageError);
}

}  // namespace
}  // namespace cola::config

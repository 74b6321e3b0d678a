#include "core/strings.h"

#include <gtest/gtest.h>

namespace cola {
namespace {

TEST(Strings, EditDistance) {
  EXPECT_EQ(edit_distance("", ""), 0u);
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(edit_distance("max_epoch", "max_epochs"), 1u);
  EXPECT_EQ(edit_distance("abc", ""), 3u);
}

TEST(Strings, ClosestMatchSuggestsTyposOnly) {
  const std::vector<std::string> keys{"training.max_epochs", "training.lr", "data.batch_size"};
  EXPECT_EQ(closest_match("training.max_epoch", keys), "training.max_epochs");
  EXPECT_EQ(closest_match("data.batchsize", keys), "data.batch_size");
  EXPECT_EQ(closest_match("completely.unrelated.key", keys), std::nullopt);
}

TEST(Strings, Join) {
  EXPECT_EQ(join({"a", "b", "c"}, ", "), "a, b, c");
  EXPECT_EQ(join({}, ", "), "");
}

}  // namespace
}  // namespace cola

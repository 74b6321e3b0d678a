#include "core/error.h"

#include <gtest/gtest.h>

namespace cola {
namespace {

TEST(Error, ContextKeepsTheKindAndPrefixesTheMessage) {
  try {
    with_context("loading config 'x.yaml'", [] { throw UsageError("unknown key 'a'"); });
    FAIL() << "expected a throw";
  } catch (const UsageError& e) {
    EXPECT_STREQ(e.what(), "loading config 'x.yaml': unknown key 'a'");
    EXPECT_EQ(exit_code_for(e), 2);
  }
  try {
    with_context("reading data", [] { throw std::out_of_range("index 7"); });
    FAIL() << "expected a throw";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "reading data: index 7");
    EXPECT_EQ(exit_code_for(e), 1);
  }
}

TEST(Error, ContextReturnsTheValueWhenNothingThrows) {
  EXPECT_EQ(with_context("ctx", [] { return 42; }), 42);
}

TEST(Error, OneLineMessageDropsBacktraces) {
  const std::runtime_error e("shape mismatch\nException raised from foo at bar.cpp:12\nframe #0");
  EXPECT_EQ(one_line_message(e), "shape mismatch");
  EXPECT_EQ(one_line_message(std::runtime_error("")), "unknown error");
}

}  // namespace
}  // namespace cola

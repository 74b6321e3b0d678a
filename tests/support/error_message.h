#pragma once
// Tests check error messages, not just that something threw (DESIGN.md practice 10).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <exception>
#include <string>

namespace cola::test {

/// The what() of the exception of type E that f() throws, or "" when it throws nothing. Any other
/// exception propagates and fails the test.
template <class E, class F>
std::string error_message(F&& f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  }
  return "";
}

}  // namespace cola::test

/// Runs `statement`, expects it to throw `type`, and matches the message against `matcher`.
#define EXPECT_THROW_MSG(statement, type, matcher)                                \
  do {                                                                            \
    try {                                                                         \
      statement;                                                                  \
      ADD_FAILURE() << "expected " #type " from: " #statement;                    \
    } catch (const type& e) {                                                     \
      EXPECT_THAT(std::string(e.what()), matcher);                                \
    } catch (const std::exception& e) {                                           \
      ADD_FAILURE() << "expected " #type ", got another exception: " << e.what(); \
    }                                                                             \
  } while (0)

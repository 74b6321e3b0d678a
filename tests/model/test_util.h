#pragma once
// Helpers shared by the model tests.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <exception>
#include <string>

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

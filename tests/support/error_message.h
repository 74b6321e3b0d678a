#pragma once
// Tests check error messages, not just that something threw (DESIGN.md practice 10).
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

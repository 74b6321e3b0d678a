#pragma once
// Errors are exceptions inside the library, with context added at each stage, and caught in one
// place (app/cola/main.cc) that prints one line and picks the exit code.
#include <stdexcept>
#include <string>
#include <utility>

namespace cola {

/// A mistake in how the tool was invoked (flags, overrides, config keys, option values): exit 2.
class UsageError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

/// Anything else that failed at run time (I/O, bad data, bad model files): exit 1.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Re-throws the exception in flight as the same kind (UsageError or Error) with "context: "
/// prefixed to its message. Call only from inside a catch block.
[[noreturn]] void rethrow_with_context(const std::string& context);

/// Runs f(); if it throws, adds `context` to the message and rethrows (see rethrow_with_context).
template <class F>
decltype(auto) with_context(const std::string& context, F&& f) {
  try {
    return std::forward<F>(f)();
  } catch (...) {
    rethrow_with_context(context);
  }
}

/// The process exit code for an exception: 2 for UsageError, 1 for everything else.
int exit_code_for(const std::exception& e) noexcept;

/// The first line of e.what(): one line for the terminal even when a third-party library (LibTorch
/// appends a C++ backtrace) puts more in its message.
std::string one_line_message(const std::exception& e);

}  // namespace cola

#include "core/error.h"

#include <fmt/format.h>

#include <exception>

namespace cola {

void rethrow_with_context(const std::string& context) {
  try {
    throw;
  } catch (const UsageError& e) {
    throw UsageError(fmt::format("{}: {}", context, e.what()));
  } catch (const std::exception& e) {
    throw Error(fmt::format("{}: {}", context, one_line_message(e)));
  }
}

int exit_code_for(const std::exception& e) noexcept {
  return dynamic_cast<const UsageError*>(&e) != nullptr ? 2 : 1;
}

std::string one_line_message(const std::exception& e) {
  std::string msg = e.what();
  const auto newline = msg.find('\n');
  if (newline != std::string::npos) msg.resize(newline);
  while (!msg.empty() && (msg.back() == ' ' || msg.back() == '\r')) msg.pop_back();
  return msg.empty() ? "unknown error" : msg;
}

}  // namespace cola

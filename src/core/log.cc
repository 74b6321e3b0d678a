#include "core/log.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "core/error.h"

namespace cola::log {
namespace {

spdlog::logger& logger() {
  // stderr keeps stdout clean for machine-readable output (JSON lines, YAML).
  static auto instance = [] {
    auto l = spdlog::stderr_logger_mt("cola");
    l->set_pattern("[%H:%M:%S.%e] %^%l%$ %v");
    l->set_level(spdlog::level::info);
    return l;
  }();
  return *instance;
}

spdlog::level::level_enum to_spdlog(Level level) {
  switch (level) {
    case Level::debug:
      return spdlog::level::debug;
    case Level::info:
      return spdlog::level::info;
    case Level::warn:
      return spdlog::level::warn;
    case Level::error:
      return spdlog::level::err;
    case Level::off:
      return spdlog::level::off;
  }
  return spdlog::level::info;
}

}  // namespace

void set_level(Level level) { logger().set_level(to_spdlog(level)); }

Level parse_level(std::string_view name) {
  if (name == "debug") return Level::debug;
  if (name == "info") return Level::info;
  if (name == "warn") return Level::warn;
  if (name == "error") return Level::error;
  if (name == "off") return Level::off;
  throw UsageError(
      fmt::format("unknown log level '{}' (valid: debug, info, warn, error, off)", name));
}

void write(Level level, std::string_view message) { logger().log(to_spdlog(level), message); }

}  // namespace cola::log

#include "core/log.h"

#include <spdlog/sinks/basic_file_sink.h>
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
    l->flush_on(spdlog::level::info);  // a crashed run keeps everything it logged
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

void add_file_sink(const std::string& path) {
  remove_file_sink();
  auto sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(path);
  sink->set_pattern("%Y-%m-%d %H:%M:%S.%e %l %v");
  logger().sinks().push_back(std::move(sink));
}

void remove_file_sink() {
  auto& sinks = logger().sinks();
  if (sinks.size() > 1) sinks.resize(1);  // the stderr sink is always first
}

void write_file_only(Level level, std::string_view message) {
  auto& sinks = logger().sinks();
  if (sinks.size() < 2) return;
  const spdlog::details::log_msg msg(logger().name(), to_spdlog(level), message);
  sinks.back()->log(msg);
  sinks.back()->flush();
}

void flush() { logger().flush(); }

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

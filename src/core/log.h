#pragma once
// Logging to stderr. spdlog stays behind this header (DESIGN.md practice 7); callers format with
// fmt, which is cheap to include.
#include <fmt/format.h>

#include <string>
#include <string_view>
#include <utility>

namespace cola::log {

enum class Level { debug, info, warn, error, off };

/// Sets the minimum level that is printed (default: info).
void set_level(Level level);
/// Parses "debug|info|warn|error|off"; throws UsageError listing the valid values otherwise.
Level parse_level(std::string_view name);
/// Also writes every message to `path` (appending; e.g. a run's train.log) until the process ends
/// or remove_file_sink() is called.
void add_file_sink(const std::string& path);
/// Stops writing to the file added by add_file_sink.
void remove_file_sink();
/// Writes a message to the file sink only (an error that main() will also print on stderr).
void write_file_only(Level level, std::string_view message);
/// Flushes every sink (before an exit, so a crashed run keeps what it logged).
void flush();
/// Writes one already-formatted message.
void write(Level level, std::string_view message);

template <class... Args>
void debug(fmt::format_string<Args...> f, Args&&... args) {
  write(Level::debug, fmt::format(f, std::forward<Args>(args)...));
}
template <class... Args>
void info(fmt::format_string<Args...> f, Args&&... args) {
  write(Level::info, fmt::format(f, std::forward<Args>(args)...));
}
template <class... Args>
void warn(fmt::format_string<Args...> f, Args&&... args) {
  write(Level::warn, fmt::format(f, std::forward<Args>(args)...));
}
template <class... Args>
void error(fmt::format_string<Args...> f, Args&&... args) {
  write(Level::error, fmt::format(f, std::forward<Args>(args)...));
}

}  // namespace cola::log

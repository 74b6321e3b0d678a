#pragma once
// An append-only JSON-lines log (a run's metrics.jsonl): one object a line, each line handed to
// the kernel in one write (core/append_file.h), so a crashed or killed run keeps every record it
// wrote, bar at most a torn last line that readers skip.
#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/append_file.h"

namespace cola::track {

class JsonlLog {
 public:
  /// Opens `path` for appending (creating parent directories), first trimming a torn last line
  /// that a killed writer left; throws Error naming it.
  explicit JsonlLog(const std::filesystem::path& path);

  /// Writes one record as a line.
  void append(const nlohmann::json& record);
  /// Makes every line so far durable (fdatasync).
  void sync() { file_.sync(); }

 private:
  AppendFile file_;
};

}  // namespace cola::track

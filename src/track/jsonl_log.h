#pragma once
// An append-only JSON-lines log (a run's metrics.jsonl): one object a line, flushed per line so a
// crashed or interrupted run keeps every record it wrote.
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

namespace cola::track {

class JsonlLog {
 public:
  /// Opens `path` for appending (creating parent directories); throws Error naming it.
  explicit JsonlLog(const std::filesystem::path& path);
  ~JsonlLog();
  JsonlLog(const JsonlLog&) = delete;
  JsonlLog& operator=(const JsonlLog&) = delete;

  /// Writes one record as a line and flushes it.
  void append(const nlohmann::json& record);

 private:
  std::filesystem::path path_;
  std::FILE* file_ = nullptr;
};

}  // namespace cola::track

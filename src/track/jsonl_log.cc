#include "track/jsonl_log.h"

#include <cerrno>
#include <cstring>

#include "core/error.h"

namespace cola::track {

JsonlLog::JsonlLog(const std::filesystem::path& path) : path_(path) {
  std::error_code ec;
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
  file_ = std::fopen(path.c_str(), "ab");
  if (file_ == nullptr) throw Error(path.string() + ": cannot open: " + std::strerror(errno));
}

JsonlLog::~JsonlLog() {
  if (file_ != nullptr) std::fclose(file_);
}

void JsonlLog::append(const nlohmann::json& record) {
  // Non-finite floats (a NaN loss) are written as null rather than as invalid JSON.
  const std::string line =
      record.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  if (std::fwrite(line.data(), 1, line.size(), file_) != line.size() || std::fflush(file_) != 0) {
    throw Error(path_.string() + ": write failed: " + std::strerror(errno));
  }
}

}  // namespace cola::track

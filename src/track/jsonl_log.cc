#include "track/jsonl_log.h"

namespace cola::track {

JsonlLog::JsonlLog(const std::filesystem::path& path) : file_(path, AppendFile::Mode::append) {
  // A writer killed mid-line leaves a torn last line: the next record must not be glued to it.
  file_.trim_torn_tail('\n');
}

void JsonlLog::append(const nlohmann::json& record) {
  // Non-finite floats (a NaN loss) are written as null rather than as invalid JSON.
  file_.append(record.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
}

}  // namespace cola::track

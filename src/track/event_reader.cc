#include "track/event_reader.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/error.h"
#include "track/event.pb.h"
#include "track/tfrecord.h"

namespace cola::track {
namespace fs = std::filesystem;
namespace {

EventValue decode_value(const tb::Summary::Value& v) {
  EventValue out;
  out.tag = v.tag();
  out.plugin_name = v.metadata().plugin_data().plugin_name();
  if (v.has_simple_value()) {
    out.kind = EventValue::Kind::scalar;
    out.scalar = static_cast<double>(v.simple_value());
  } else if (v.has_image()) {
    out.kind = EventValue::Kind::image;
    out.image = v.image().encoded_image_string();
    out.width = v.image().width();
    out.height = v.image().height();
  } else if (v.has_tensor() && out.plugin_name == "text" && v.tensor().string_val_size() > 0) {
    out.kind = EventValue::Kind::text;
    out.text = v.tensor().string_val(0);
  }
  return out;
}

}  // namespace

std::vector<Event> read_event_file(const fs::path& path, size_t* torn_tail) {
  std::vector<Event> events;
  for (const auto& record : read_tfrecord_file(path, torn_tail)) {
    tb::Event proto;
    if (!proto.ParseFromString(record.data)) {
      throw Error(fmt::format("{}: offset {}: record is not an Event protobuf", path.string(),
                              record.offset));
    }
    Event e;
    e.offset = record.offset;
    e.wall_time = proto.wall_time();
    e.step = proto.step();
    e.file_version = proto.file_version();
    e.session_start =
        proto.has_session_log() && proto.session_log().status() == tb::SessionLog::START;
    for (const auto& v : proto.summary().value()) e.values.push_back(decode_value(v));
    events.push_back(std::move(e));
  }
  return events;
}

std::vector<fs::path> find_event_files(const fs::path& run_dir) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(run_dir, ec)) {
    if (entry.is_regular_file() &&
        entry.path().filename().string().starts_with("events.out.tfevents.")) {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::vector<Event> read_run_events(const fs::path& run_dir) {
  std::vector<Event> run;
  for (const auto& file : find_event_files(run_dir)) {
    size_t torn = 0;
    for (auto& e : read_event_file(file, &torn)) {
      if (e.session_start) {
        std::erase_if(run, [&](const Event& old) { return old.step >= e.step; });
      }
      run.push_back(std::move(e));
    }
  }
  return run;
}

}  // namespace cola::track

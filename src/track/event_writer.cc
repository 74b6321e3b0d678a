#include "track/event_writer.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "core/error.h"
#include "track/event.pb.h"
#include "track/tfrecord.h"

namespace cola::track {
namespace fs = std::filesystem;
namespace {

constexpr int kDtString = 7;         // tensorflow DataType DT_STRING
constexpr int kDataClassTensor = 2;  // tensorboard DataClass DATA_CLASS_TENSOR
constexpr int kColorspaceRgb = 3;

std::string hostname() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "localhost";
  return name;
}

// Exclusive create, so that two writers started in the same second never share a file.
std::unique_ptr<AppendFile> create_exclusive(const fs::path& dir) {
  const auto seconds = static_cast<int64_t>(unix_now());
  const std::string base = fmt::format("events.out.tfevents.{:010d}.{}", seconds, hostname());
  for (int n = 0; n < 100; ++n) {
    try {
      return std::make_unique<AppendFile>(dir / (n == 0 ? base : fmt::format("{}.{}", base, n)),
                                          AppendFile::Mode::create_new);
    } catch (const FileExists&) {
    }
  }
  throw Error(fmt::format("{}: cannot create event file: 100 names taken", (dir / base).string()));
}

tb::Summary::Value& new_value(tb::Event& event, std::string_view tag, int64_t step,
                              double wall_time) {
  event.set_wall_time(wall_time);
  event.set_step(step);
  auto* value = event.mutable_summary()->add_value();
  value->set_tag(std::string(tag));
  return *value;
}

std::string cell(const std::string& text) {
  std::string out;
  for (const char c : text) {
    if (c == '|') {
      out += "\\|";
    } else {
      out += (c == '\n' || c == '\r') ? ' ' : c;
    }
  }
  return out;
}

}  // namespace

double unix_now() {
  using namespace std::chrono;
  return duration<double>(system_clock::now().time_since_epoch()).count();
}

EventWriter::EventWriter(const fs::path& run_dir) : file_(create_exclusive(run_dir)) {
  tb::Event first;
  first.set_wall_time(unix_now());
  first.set_file_version("brain.Event:2");
  write_record(first.SerializeAsString());
}

EventWriter::~EventWriter() {
  try {
    file_->sync();
  } catch (const Error&) {  // flush() reports it; a destructor must not throw
  }
}

void EventWriter::write_record(const std::string& serialized_event) {
  std::string framed;
  append_tfrecord(framed, serialized_event);
  file_->append(framed);
}

void EventWriter::add_scalar(std::string_view tag, int64_t step, double value, double wall_time) {
  tb::Event event;
  new_value(event, tag, step, wall_time).set_simple_value(static_cast<float>(value));
  write_record(event.SerializeAsString());
}

void EventWriter::add_session_start(int64_t step, double wall_time) {
  tb::Event event;
  event.set_wall_time(wall_time);
  event.set_step(step);
  event.mutable_session_log()->set_status(tb::SessionLog::START);
  write_record(event.SerializeAsString());
}

void EventWriter::add_text(std::string_view tag, int64_t step, std::string_view markdown,
                           double wall_time) {
  tb::Event event;
  auto& value = new_value(event, tag, step, wall_time);
  auto* meta = value.mutable_metadata();
  meta->mutable_plugin_data()->set_plugin_name("text");
  meta->set_data_class(kDataClassTensor);
  auto* tensor = value.mutable_tensor();
  tensor->set_dtype(kDtString);
  tensor->mutable_tensor_shape();  // present and empty: a scalar string
  tensor->add_string_val(std::string(markdown));
  write_record(event.SerializeAsString());
}

void EventWriter::add_image(std::string_view tag, int64_t step, std::string_view png, int width,
                            int height, double wall_time) {
  tb::Event event;
  auto* image = new_value(event, tag, step, wall_time).mutable_image();
  image->set_width(width);
  image->set_height(height);
  image->set_colorspace(kColorspaceRgb);
  image->set_encoded_image_string(std::string(png));
  write_record(event.SerializeAsString());
}

void EventWriter::add_image(std::string_view tag, int64_t step, const RgbImage& image,
                            double wall_time) {
  add_image(tag, step, encode_png(image), image.width(), image.height(), wall_time);
}

std::string markdown_table(const std::vector<std::string>& header,
                           const std::vector<std::vector<std::string>>& rows) {
  const auto line = [](const std::vector<std::string>& cells) {
    std::string s = "|";
    for (const auto& c : cells) s += " " + cell(c) + " |";
    return s + "\n";
  };
  std::string out = line(header) + "|";
  for (size_t i = 0; i < header.size(); ++i) out += "---|";
  out += "\n";
  for (const auto& r : rows) out += line(r);
  return out;
}

}  // namespace cola::track

#pragma once
// TensorBoard event files (events.out.tfevents.<unix time>.<host>), read by TensorBoard and by
// W&B's sync_tensorboard. Records are TFRecord-framed Event protos (see event.proto); protobuf
// types stay inside the .cc files.
//
// An event file is a log: records are appended as they come, each in one write
// (core/append_file.h), so a run that crashes or is killed keeps every record it logged, bar at
// most a torn last one that TensorBoard and read_run_events skip; flush() makes them durable
// against a power loss too.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/append_file.h"
#include "track/png.h"

namespace cola::track {

/// Seconds since the Unix epoch, with sub-second precision (Event.wall_time).
double unix_now();

class EventWriter {
 public:
  /// Creates <run_dir>/events.out.tfevents.<unix seconds>.<hostname> (with a numeric suffix if
  /// that name is taken) and writes the first record, file_version "brain.Event:2". Throws Error
  /// naming the file when it cannot be created.
  explicit EventWriter(const std::filesystem::path& run_dir);
  /// Syncs; errors are swallowed here (call flush() to see them).
  ~EventWriter();
  EventWriter(const EventWriter&) = delete;
  EventWriter& operator=(const EventWriter&) = delete;

  /// A scalar (stored as a float32 simple_value, as TensorBoard's own writers do).
  void add_scalar(std::string_view tag, int64_t step, double value, double wall_time = unix_now());
  /// Markdown text for the text plugin: a rank-0 DT_STRING tensor, plugin_name "text".
  void add_text(std::string_view tag, int64_t step, std::string_view markdown,
                double wall_time = unix_now());
  /// An encoded PNG of width x height RGB pixels.
  void add_image(std::string_view tag, int64_t step, std::string_view png, int width, int height,
                 double wall_time = unix_now());
  /// An image, PNG-encoded here (e.g. render_confusion_matrix's).
  void add_image(std::string_view tag, int64_t step, const RgbImage& image,
                 double wall_time = unix_now());
  /// A SessionLog START at `step`: TensorBoard forgets what the run logged earlier at `step` or
  /// later (a resumed run continuing after its last checkpoint, where the killed process had gone
  /// further), as it does for TensorFlow's own restarts.
  void add_session_start(int64_t step, double wall_time = unix_now());
  /// fsyncs the file: a few milliseconds, cheap enough per validation.
  void flush() { file_->sync(); }
  /// The event file's path.
  const std::filesystem::path& path() const { return file_->path(); }

 private:
  void write_record(const std::string& serialized_event);

  std::unique_ptr<AppendFile> file_;
};

/// A Markdown table (the text plugin renders Markdown). Cells have '|' escaped and newlines
/// replaced by spaces, so any sentence fits in one cell.
std::string markdown_table(const std::vector<std::string>& header,
                           const std::vector<std::vector<std::string>>& rows);

}  // namespace cola::track

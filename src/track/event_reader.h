#pragma once
// Reads TensorBoard event files back (tests, `cola report`): every record's two CRCs are checked
// and every Event is decoded, so a single corrupted byte is reported with the file and offset.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace cola::track {

/// One Summary.Value, in plain C++ types.
struct EventValue {
  enum class Kind { scalar, text, image, other };
  std::string tag;
  Kind kind = Kind::other;
  std::string plugin_name;  // SummaryMetadata.plugin_data.plugin_name ("text"), if any
  double scalar = 0;        // Kind::scalar
  std::string text;         // Kind::text: the string tensor's first element
  std::string image;        // Kind::image: the encoded PNG
  int width = 0, height = 0;
};

struct Event {
  uint64_t offset = 0;   // byte offset of the record in the file
  double wall_time = 0;  // seconds since the Unix epoch
  int64_t step = 0;
  std::string file_version;    // set in the first record only
  bool session_start = false;  // a SessionLog START: a restart at `step`
  std::vector<EventValue> values;
};

/// Decodes every record of an event file. Throws Error("<file>: offset N: ...") on a CRC
/// mismatch, a truncated record, or a record that is not an Event. With `torn_tail`, a truncated
/// last record is dropped and its size stored there instead (see parse_tfrecords).
std::vector<Event> read_event_file(const std::filesystem::path& path, size_t* torn_tail = nullptr);

/// The event files directly in `run_dir` (events.out.tfevents.*), sorted by name.
std::vector<std::filesystem::path> find_event_files(const std::filesystem::path& run_dir);

/// The run as TensorBoard shows it: every event file of `run_dir` in name (so time) order, where
/// a session START at step S drops the events before it whose step is S or more. A torn last
/// record (a killed writer) is dropped, as TensorBoard drops it.
std::vector<Event> read_run_events(const std::filesystem::path& run_dir);

}  // namespace cola::track

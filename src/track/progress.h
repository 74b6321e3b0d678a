#pragma once
// A terminal progress line: step, caller-supplied fields (loss, accuracy, sentences/s) and ETA.
// On a TTY it redraws one line at most 10 times a second; otherwise (CI, files) it prints a plain
// line each time another 10% is done, so logs stay short.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace cola::track {

class Progress {
 public:
  /// `label` prefixes every line ("epoch 1/5"); `total` is the number of steps (0 = unknown).
  /// A null `out` draws nothing.
  Progress(std::string label, int64_t total, std::FILE* out = stderr);

  /// Reports that `done` steps are complete; `fields` is appended as is.
  void update(int64_t done, std::string_view fields);
  /// Ends the line (TTY) or prints the final line (non-TTY).
  void finish(std::string_view fields);

  /// "1:05" / "1:02:03": a duration for humans.
  static std::string format_duration(double seconds);

 private:
  std::string render(int64_t done, std::string_view fields) const;

  std::string label_;
  int64_t total_;
  std::FILE* out_;
  bool tty_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_draw_{};
  int64_t last_decile_ = -1;
};

}  // namespace cola::track

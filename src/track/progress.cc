#include "track/progress.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include "core/clock.h"

namespace cola::track {
namespace {

// A terminal, or the stderr of a `training.nproc` worker whose launcher forwards it to one.
bool is_terminal(std::FILE* out) {
  if (out == nullptr) return false;
  if (::isatty(::fileno(out)) != 0) return true;
  const char* forwarded = std::getenv("COLA_STDERR_IS_TTY");
  return out == stderr && forwarded != nullptr && std::strcmp(forwarded, "1") == 0;
}

}  // namespace

Progress::Progress(std::string label, int64_t total, std::FILE* out)
    : label_(std::move(label)), total_(total), out_(out), tty_(is_terminal(out)) {}

std::string Progress::format_duration(double seconds) {
  const auto s = static_cast<int64_t>(seconds + 0.5);
  if (s >= 3600) return fmt::format("{}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60);
  return fmt::format("{}:{:02}", s / 60, s % 60);
}

std::string Progress::render(int64_t done, std::string_view fields) const {
  const double elapsed = core::seconds_since(start_);
  std::string line = fmt::format("{} ", label_);
  if (total_ > 0) {
    constexpr int kWidth = 20;
    const auto filled = static_cast<int>(kWidth * done / total_);
    line += fmt::format("[{}{}] {}/{}", std::string(static_cast<size_t>(filled), '#'),
                        std::string(static_cast<size_t>(kWidth - filled), '.'), done, total_);
  } else {
    line += fmt::format("{}", done);
  }
  if (!fields.empty()) line += fmt::format(" | {}", fields);
  if (total_ > 0 && done > 0 && done < total_) {
    const double eta = elapsed / static_cast<double>(done) * static_cast<double>(total_ - done);
    line += fmt::format(" | ETA {}", format_duration(eta));
  } else {
    line += fmt::format(" | {}", format_duration(elapsed));
  }
  return line;
}

void Progress::update(int64_t done, std::string_view fields) {
  if (out_ == nullptr) return;
  if (tty_) {
    const auto now = std::chrono::steady_clock::now();
    if (now - last_draw_ < std::chrono::milliseconds(100)) return;
    last_draw_ = now;
    fmt::print(out_, "\r\033[K{}", render(done, fields));
    std::fflush(out_);
    return;
  }
  if (total_ > 0 && done >= total_) return;  // finish() prints the last line
  const int64_t decile = total_ > 0 ? done * 10 / total_ : done / 100;
  if (decile == last_decile_) return;
  last_decile_ = decile;
  fmt::print(out_, "{}\n", render(done, fields));
}

void Progress::finish(std::string_view fields) {
  if (out_ == nullptr) return;
  if (tty_) {
    fmt::print(out_, "\r\033[K{}\n", render(total_, fields));
  } else {
    fmt::print(out_, "{}\n", render(total_, fields));
  }
  std::fflush(out_);
}

}  // namespace cola::track

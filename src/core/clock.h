#pragma once
// The one clock of cola's timings (export, predict, serve, train, bench): the steady clock, which a
// change of the wall clock cannot skew, read as seconds.
#include <chrono>

namespace cola::core {

using Clock = std::chrono::steady_clock;

/// Seconds from `start` to now.
inline double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace cola::core

#include "core/interrupt.h"

#include <atomic>
#include <csignal>

namespace cola {
namespace {

std::atomic<bool> g_requested{false};
static_assert(std::atomic<bool>::is_always_lock_free, "the flag is set from a signal handler");

extern "C" void on_signal(int signal) {
  if (g_requested.exchange(true)) {
    std::signal(signal, SIG_DFL);  // second signal: let the next one terminate the process
    std::raise(signal);
  }
}

}  // namespace

void install_interrupt_handler() {
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
}

bool interrupt_requested() { return g_requested.load(std::memory_order_relaxed); }

void reset_interrupt() { g_requested.store(false); }

}  // namespace cola

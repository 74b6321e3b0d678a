#pragma once
// Crash-consistency tests: a writer runs in a child process that is killed with SIGKILL at a
// random moment, over and over, and what is on disk is checked after each kill.
#include <cstdint>
#include <functional>

namespace cola::test {

/// `rounds` times: forks a child that calls write(0), write(1), ... without end, kills it with
/// SIGKILL a random 0-`max_delay_us` microseconds after its first call began, then calls check()
/// in this process. The writes should take most of the child's time, so that most kills land
/// inside one. A child that stops by itself (a write threw) fails the test.
void kill_while_writing(int rounds, int max_delay_us, const std::function<void(uint64_t)>& write,
                        const std::function<void()>& check);

}  // namespace cola::test

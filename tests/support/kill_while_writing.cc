#include "support/kill_while_writing.h"

#include <gtest/gtest.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <random>
#include <thread>

namespace cola::test {

void kill_while_writing(int rounds, int max_delay_us, const std::function<void(uint64_t)>& write,
                        const std::function<void()>& check) {
  // A shared page where the child says it has started writing.
  void* page = ::mmap(nullptr, sizeof(std::atomic<int>), PROT_READ | PROT_WRITE,
                      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (page == MAP_FAILED) {
    ADD_FAILURE() << "mmap failed";
    return;
  }
  auto* started = new (page) std::atomic<int>(0);
  std::mt19937 rng(std::random_device{}());
  std::uniform_int_distribution<int> delay(0, max_delay_us);
  for (int round = 0; round < rounds; ++round) {
    started->store(0);
    const pid_t pid = ::fork();
    if (pid == 0) {
      try {
        for (uint64_t i = 0;; ++i) {
          started->store(1);
          write(i);
        }
      } catch (...) {
      }
      ::_exit(3);  // a writer that throws is a failure: the parent sees exit 3, not SIGKILL
    }
    while (started->load() == 0) std::this_thread::yield();
    std::this_thread::sleep_for(std::chrono::microseconds(delay(rng)));
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
        << "the writer stopped by itself in round " << round;
    check();
    if (::testing::Test::HasFailure()) break;
  }
  ::munmap(page, sizeof(std::atomic<int>));
}

}  // namespace cola::test

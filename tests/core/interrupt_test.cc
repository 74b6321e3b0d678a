#include "core/interrupt.h"

#include <gtest/gtest.h>

#include <csignal>

namespace cola {
namespace {

TEST(Interrupt, FirstSignalOnlySetsTheFlag) {
  install_interrupt_handler();
  reset_interrupt();
  EXPECT_FALSE(interrupt_requested());
  std::raise(SIGINT);  // would terminate the test binary without the handler
  EXPECT_TRUE(interrupt_requested());
  reset_interrupt();
  std::raise(SIGTERM);
  EXPECT_TRUE(interrupt_requested());
  reset_interrupt();
}

}  // namespace
}  // namespace cola

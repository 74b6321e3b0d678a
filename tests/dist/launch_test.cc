// The local launcher with /bin/sh scripts as workers: what each gets, what reaches the terminal,
// and how one worker's failure or a Ctrl-C ends the job.
#include "dist/launch.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <string>
#include <thread>

#include "core/error.h"
#include "core/file.h"

namespace cola::dist {
namespace {
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

class LaunchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("cola-launch-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Options running `script` under /bin/sh in every worker, with $D set to the test's directory.
  LaunchOptions shell(int nproc, const std::string& script) const {
    LaunchOptions o;
    o.nproc = nproc;
    o.argv = {"/bin/sh", "-c", "D='" + dir_.string() + "'; " + script};
    return o;
  }

  std::string read(const std::string& name) const { return read_file(dir_ / name); }

  fs::path dir_;
};

// The message of the Error (or, with usage, the UsageError) that launch_local throws.
std::string failure_of(const LaunchOptions& o, bool usage = false) {
  try {
    launch_local(o);
  } catch (const UsageError& e) {
    return usage ? e.what() : std::string("unexpected UsageError: ") + e.what();
  } catch (const Error& e) {
    return usage ? std::string("unexpected Error: ") + e.what() : e.what();
  }
  return "(no error)";
}

TEST_F(LaunchTest, EachWorkerGetsTorchrunsVariablesAndOnePort) {
  launch_local(shell(3,
                     "echo \"$RANK $LOCAL_RANK $WORLD_SIZE $LOCAL_WORLD_SIZE $MASTER_ADDR "
                     "$COLA_LAUNCHER\" > \"$D/$RANK\"; echo \"$MASTER_PORT\" > \"$D/port$RANK\""));
  EXPECT_EQ(read("0"), "0 0 3 3 127.0.0.1 1\n");
  EXPECT_EQ(read("1"), "1 1 3 3 127.0.0.1 1\n");
  EXPECT_EQ(read("2"), "2 2 3 3 127.0.0.1 1\n");
  EXPECT_EQ(read("port0"), read("port2"));
  EXPECT_GT(std::stoi(read("port0")), 0);
}

TEST_F(LaunchTest, Rank0ReachesStderrAsIsAndTheOthersLinePrefixed) {
  ::testing::internal::CaptureStderr();
  launch_local(shell(2,
                     "if [ $RANK = 0 ]; then printf 'step 1\\rstep 2\\n' >&2; else "
                     "printf 'loading\\nready\\n' >&2; fi; printf 'x' >&2"));
  const std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("[rank 1] loading\n[rank 1] ready\n"), std::string::npos) << err;
  EXPECT_NE(err.find("[rank 1] x\n"), std::string::npos) << err;      // a last line without \n
  EXPECT_NE(err.find("step 1\rstep 2\n"), std::string::npos) << err;  // progress bars redraw
  EXPECT_EQ(err.find("[rank 0]"), std::string::npos) << err;
}

TEST_F(LaunchTest, OneFailingWorkerStopsTheOthersWithOneErrorNamingIt) {
  ::testing::internal::CaptureStderr();
  const auto start = Clock::now();
  const auto error = failure_of(shell(
      3,
      "if [ $RANK = 1 ]; then echo 'cola: error: rank 1: data.path: no such file' >&2; exit 1; "
      "fi; sleep 30"));
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  const std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(error, "rank 1 exited with code 1: data.path: no such file");
  EXPECT_EQ(err.find("cola: error:"), std::string::npos) << err;  // held back: main prints one
  EXPECT_LT(seconds, 5) << "the sleeping ranks were not stopped";
}

TEST_F(LaunchTest, AKilledRankIsTheCulpritNotTheRanksThatLostContactWithIt) {
  ::testing::internal::CaptureStderr();
  // As in a job: the survivor notices the loss only after the death (here 0.5 s; Gloo's time-out
  // or a reset connection in practice), and reports it even though the launcher has asked it to
  // stop by then (it ignores the SIGTERM, as a rank blocked in a collective does). Rank 1 dies only
  // once rank 0 ignores SIGTERM, however slowly the sanitizer build starts the ranks.
  const auto error = failure_of(
      shell(2,
            "if [ $RANK = 1 ]; then while [ ! -e \"$D/ready\" ]; do sleep 0.01; done; kill -9 $$; "
            "fi; trap '' TERM; touch \"$D/ready\"; sleep 0.5; echo 'cola: error: rank 0: "
            "training step 3: lost contact with the other ranks' >&2; exit 1"));
  const std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(error, "rank 1 was killed by signal 9 (Killed)");
  EXPECT_NE(err.find("[rank 0] rank 0: training step 3: lost contact"), std::string::npos) << err;
}

TEST_F(LaunchTest, AWorkerThatIgnoresSigtermIsKilledAfterTheGracePeriod) {
  auto o = shell(2,
                 "if [ $RANK = 1 ]; then sleep 0.2; exit 3; fi; trap '' TERM; "
                 "while :; do sleep 0.05; done");
  o.grace_s = 0.5;
  const auto start = Clock::now();
  EXPECT_EQ(failure_of(o), "rank 1 exited with code 3");
  EXPECT_LT(std::chrono::duration<double>(Clock::now() - start).count(), 5);
}

TEST_F(LaunchTest, AUsageErrorInAWorkerStaysAUsageError) {
  ::testing::internal::CaptureStderr();
  const auto error = failure_of(
      shell(2,
            "[ $RANK = 0 ] && { echo 'cola: error: training.lr: expected a number' >&2; exit 2; }; "
            "exit 0"),
      true);
  ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(error, "rank 0 exited with code 2: training.lr: expected a number");
}

TEST_F(LaunchTest, AProgramThatCannotRunIsNamed) {
  LaunchOptions o;
  o.nproc = 2;
  o.argv = {"/nonexistent/cola", "train"};
  // Both ranks fail at once; either may be reaped first.
  EXPECT_THAT(failure_of(o), ::testing::MatchesRegex("rank [01] exited with code 127: cannot run "
                                                     "/nonexistent/cola: No such file or "
                                                     "directory"));
}

TEST_F(LaunchTest, CtrlCReachesEveryWorkerOnceAndRank0SaysHowToResume) {
  // Each worker traps SIGINT as cola does (finish the step, then exit 1 with how to resume).
  auto o = shell(2,
                 "trap 'echo got$RANK >> \"$D/signals\"; "
                 "[ $RANK = 0 ] && echo \"cola: error: interrupted at step 7\" >&2; exit 1' INT; "
                 "touch \"$D/ready$RANK\"; while :; do sleep 0.05; done");
  std::thread interrupter([this] {
    for (int i = 0; i < 200 && !(fs::exists(dir_ / "ready0") && fs::exists(dir_ / "ready1")); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    ::kill(::getpid(), SIGINT);
  });
  const auto error = failure_of(o);
  interrupter.join();
  EXPECT_EQ(error, "interrupted at step 7");
  const auto signals = read("signals");
  EXPECT_NE(signals.find("got0"), std::string::npos) << signals;
  EXPECT_NE(signals.find("got1"), std::string::npos) << signals;
  EXPECT_EQ(std::count(signals.begin(), signals.end(), '\n'), 2) << signals;
}

}  // namespace
}  // namespace cola::dist

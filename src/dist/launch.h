#pragma once
// `cola train training.nproc=N`: runs N copies of this command as the ranks of one job on this
// machine, as `torchrun --standalone --nproc-per-node N` does. Each worker gets torchrun's
// variables (RANK, LOCAL_RANK, WORLD_SIZE, LOCAL_WORLD_SIZE, MASTER_ADDR, MASTER_PORT) and
// COLA_LAUNCHER=1, so it joins the job instead of launching again.
#include <string>
#include <vector>

namespace cola::dist {

struct LaunchOptions {
  int nproc = 1;
  std::vector<std::string> argv;  // argv[0] is the path to exec
  std::string master_addr = "127.0.0.1";
  int master_port = 0;  // 0: a free port on master_addr
  double grace_s = 10;  // after one worker fails, how long the others get to stop before SIGKILL
};

/// Runs the workers to the end. Rank 0's stdout and stderr reach this process's; the other ranks'
/// stderr lines arrive prefixed "[rank N] " and their stdout is discarded (it repeats rank 0's).
/// SIGINT and SIGTERM are forwarded to every worker. When a worker fails, the others are stopped
/// and one Error names the rank at fault and its error (UsageError when it exited with 2).
void launch_local(const LaunchOptions& options);

}  // namespace cola::dist

#pragma once
// Where this process stands in a distributed job, read from the environment its launcher set:
// torchrun (and Kubernetes' PyTorchJob, which sets the same variables), Slurm's srun, or cola's own
// `training.nproc` launcher (which sets torchrun's variables plus COLA_LAUNCHER=1).
#include <cstdlib>
#include <functional>
#include <optional>
#include <string>

namespace cola::dist {

struct World {
  int rank = 0;
  int world_size = 1;
  int local_rank = 0;
  int local_world_size = 1;
  std::string master_addr;  // the host of the TCPStore (rank 0's, or torchrun's agent's)
  int master_port = 29500;
  // torchrun's elastic agent already serves the store at MASTER_ADDR:MASTER_PORT; the workers
  // connect to it as clients, under store_prefix, as torch.distributed's env:// rendezvous does.
  bool agent_store = false;
  std::string store_prefix;
  std::string source;  // "torchrun", "slurm" or "cola": for logs and error messages
};

using Getenv = std::function<const char*(const char*)>;

/// The job this process belongs to; nullopt when no launcher set RANK or SLURM_PROCID.
/// Throws UsageError naming the variable and its value when one is malformed or missing.
std::optional<World> world_from_env(const Getenv& getenv = ::getenv);

}  // namespace cola::dist

#include "dist/world.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <string_view>

#include "core/error.h"

namespace cola::dist {
namespace {

// One launcher's variables, read with the variable's name in every error.
class Env {
 public:
  explicit Env(const Getenv& getenv) : getenv_(getenv) {}

  std::optional<std::string> text(const char* name) const {
    const char* value = getenv_(name);
    if (value == nullptr || *value == '\0') return std::nullopt;
    return std::string(value);
  }

  std::string required_text(const char* name, std::string_view why) const {
    auto value = text(name);
    if (!value) throw UsageError(fmt::format("{} is not set, and {}", name, why));
    return *value;
  }

  // The whole value as a decimal integer in [low, high]; `fallback` when unset.
  int integer(const char* name, int low, int high, std::optional<int> fallback) const {
    const auto value = text(name);
    if (!value) {
      if (fallback) return *fallback;
      throw UsageError(fmt::format("{} is not set; the launcher must set it", name));
    }
    int n = 0;
    const auto* end = value->data() + value->size();
    const auto [at, ec] = std::from_chars(value->data(), end, n);
    if (ec != std::errc() || at != end || n < low || n > high) {
      throw UsageError(
          fmt::format("{}={}: expected an integer from {} to {}", name, *value, low, high));
    }
    return n;
  }

 private:
  const Getenv& getenv_;
};

constexpr int kMaxRanks = 1 << 20;

void check_rank(const char* rank_name, int rank, const char* size_name, int size) {
  if (rank >= size) {
    throw UsageError(fmt::format("{}={} is not below {}={}", rank_name, rank, size_name, size));
  }
}

World from_torchrun(const Env& env) {
  World w;
  w.source = "torchrun";
  w.world_size = env.integer("WORLD_SIZE", 1, kMaxRanks, std::nullopt);
  w.rank = env.integer("RANK", 0, kMaxRanks, std::nullopt);
  check_rank("RANK", w.rank, "WORLD_SIZE", w.world_size);
  // A PyTorchJob without torchrun sets no LOCAL_*: one worker per pod.
  w.local_world_size = env.integer("LOCAL_WORLD_SIZE", 1, kMaxRanks, 1);
  w.local_rank = env.integer("LOCAL_RANK", 0, kMaxRanks, 0);
  check_rank("LOCAL_RANK", w.local_rank, "LOCAL_WORLD_SIZE", w.local_world_size);
  w.master_addr = env.required_text("MASTER_ADDR", "RANK is: it names the host of rank 0's store");
  w.master_port = env.integer("MASTER_PORT", 1, 65535, std::nullopt);
  // As torch.distributed's env:// rendezvous: under torchrun's elastic agent, the agent serves the
  // store and each restart of the workers gets a fresh prefix.
  if (env.text("TORCHELASTIC_USE_AGENT_STORE") == "True") {
    w.agent_store = true;
    w.store_prefix = fmt::format("/worker/attempt_{}",
                                 env.integer("TORCHELASTIC_RESTART_COUNT", 0, INT32_MAX, 0));
  }
  return w;
}

// Tasks on this node: SLURM_NTASKS_PER_NODE when given as a number, else the first count of
// SLURM_TASKS_PER_NODE ("2(x3),1" → 2), else 1. Only used to share the node's cores out.
int slurm_local_world_size(const Env& env) {
  if (const auto v = env.text("SLURM_NTASKS_PER_NODE")) {
    int n = 0;
    const auto [at, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
    if (ec == std::errc() && at == v->data() + v->size() && n > 0) return n;
  }
  if (const auto v = env.text("SLURM_TASKS_PER_NODE")) {
    int n = 0;
    const auto [at, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
    if (ec == std::errc() && n > 0) return n;
  }
  return 1;
}

World from_slurm(const Env& env) {
  World w;
  w.source = "slurm";
  w.world_size = env.integer("SLURM_NTASKS", 1, kMaxRanks, std::nullopt);
  w.rank = env.integer("SLURM_PROCID", 0, kMaxRanks, std::nullopt);
  check_rank("SLURM_PROCID", w.rank, "SLURM_NTASKS", w.world_size);
  w.local_rank = env.integer("SLURM_LOCALID", 0, kMaxRanks, 0);
  w.local_world_size = std::max(slurm_local_world_size(env), w.local_rank + 1);
  w.master_addr = env.required_text(
      "MASTER_ADDR", "srun sets no address for rank 0's store: export MASTER_ADDR=<first node>");
  w.master_port = env.integer("MASTER_PORT", 1, 65535, 29500);
  return w;
}

}  // namespace

std::optional<World> world_from_env(const Getenv& getenv) {
  const Env env(getenv);
  std::optional<World> world;
  if (env.text("RANK")) {
    world = from_torchrun(env);
  } else if (env.text("SLURM_PROCID")) {
    world = from_slurm(env);
  } else {
    return std::nullopt;
  }
  if (env.text("COLA_LAUNCHER") == "1") world->source = "cola";
  return world;
}

}  // namespace cola::dist

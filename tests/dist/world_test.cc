#include "dist/world.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "core/error.h"

namespace cola::dist {
namespace {

using Vars = std::map<std::string, std::string>;

std::optional<World> world_of(const Vars& vars) {
  return world_from_env([&vars](const char* name) -> const char* {
    const auto it = vars.find(name);
    return it == vars.end() ? nullptr : it->second.c_str();
  });
}

std::string usage_error_of(const Vars& vars) {
  try {
    (void)world_of(vars);
  } catch (const UsageError& e) {
    return e.what();
  }
  return "(no error)";
}

const Vars kTorchrun = {{"RANK", "3"},
                        {"WORLD_SIZE", "4"},
                        {"LOCAL_RANK", "1"},
                        {"LOCAL_WORLD_SIZE", "2"},
                        {"MASTER_ADDR", "10.0.0.5"},
                        {"MASTER_PORT", "29400"}};

TEST(WorldFromEnv, NoLauncherMeansNoJob) {
  EXPECT_FALSE(world_of({}).has_value());
  EXPECT_FALSE(world_of({{"WORLD_SIZE", "2"}, {"MASTER_ADDR", "x"}}).has_value());
}

TEST(WorldFromEnv, ReadsTorchrunsVariables) {
  const auto w = world_of(kTorchrun);
  ASSERT_TRUE(w);
  EXPECT_EQ(w->rank, 3);
  EXPECT_EQ(w->world_size, 4);
  EXPECT_EQ(w->local_rank, 1);
  EXPECT_EQ(w->local_world_size, 2);
  EXPECT_EQ(w->master_addr, "10.0.0.5");
  EXPECT_EQ(w->master_port, 29400);
  EXPECT_EQ(w->source, "torchrun");
  EXPECT_FALSE(w->agent_store);
}

TEST(WorldFromEnv, APyTorchJobPodWithoutLocalVariablesIsOneWorkerPerPod) {
  Vars vars = kTorchrun;
  vars.erase("LOCAL_RANK");
  vars.erase("LOCAL_WORLD_SIZE");
  const auto w = world_of(vars);
  ASSERT_TRUE(w);
  EXPECT_EQ(w->local_rank, 0);
  EXPECT_EQ(w->local_world_size, 1);
}

TEST(WorldFromEnv, UnderTorchrunsAgentTheStoreIsTheAgentsWithTheAttemptsPrefix) {
  Vars vars = kTorchrun;
  vars["TORCHELASTIC_USE_AGENT_STORE"] = "True";
  vars["TORCHELASTIC_RESTART_COUNT"] = "2";
  const auto w = world_of(vars);
  ASSERT_TRUE(w);
  EXPECT_TRUE(w->agent_store);
  EXPECT_EQ(w->store_prefix, "/worker/attempt_2");
}

TEST(WorldFromEnv, ColasOwnLauncherIsNamed) {
  Vars vars = kTorchrun;
  vars["COLA_LAUNCHER"] = "1";
  EXPECT_EQ(world_of(vars)->source, "cola");
}

TEST(WorldFromEnv, MalformedOrMissingVariablesAreNamedWithTheirValue) {
  Vars vars = kTorchrun;
  vars["RANK"] = "three";
  EXPECT_NE(usage_error_of(vars).find("RANK=three"), std::string::npos) << usage_error_of(vars);
  vars["RANK"] = "4";
  EXPECT_NE(usage_error_of(vars).find("RANK=4 is not below WORLD_SIZE=4"), std::string::npos);
  vars["RANK"] = "0";
  vars["MASTER_PORT"] = "70000";
  EXPECT_NE(usage_error_of(vars).find("MASTER_PORT=70000"), std::string::npos);
  vars.erase("MASTER_PORT");
  EXPECT_NE(usage_error_of(vars).find("MASTER_PORT is not set"), std::string::npos);
  vars["MASTER_PORT"] = "1";
  vars.erase("MASTER_ADDR");
  EXPECT_NE(usage_error_of(vars).find("MASTER_ADDR is not set"), std::string::npos);
  vars["MASTER_ADDR"] = "h";
  vars["LOCAL_RANK"] = "2";
  EXPECT_NE(usage_error_of(vars).find("LOCAL_RANK=2 is not below LOCAL_WORLD_SIZE=2"),
            std::string::npos);
}

TEST(WorldFromEnv, ReadsSlurmsTasksWithTheGivenMasterAddress) {
  const Vars vars = {{"SLURM_PROCID", "5"},
                     {"SLURM_NTASKS", "6"},
                     {"SLURM_LOCALID", "1"},
                     {"SLURM_TASKS_PER_NODE", "2(x3)"},
                     {"MASTER_ADDR", "node001"}};
  const auto w = world_of(vars);
  ASSERT_TRUE(w);
  EXPECT_EQ(w->rank, 5);
  EXPECT_EQ(w->world_size, 6);
  EXPECT_EQ(w->local_rank, 1);
  EXPECT_EQ(w->local_world_size, 2);
  EXPECT_EQ(w->master_addr, "node001");
  EXPECT_EQ(w->master_port, 29500);
  EXPECT_EQ(w->source, "slurm");

  Vars no_addr = vars;
  no_addr.erase("MASTER_ADDR");
  EXPECT_NE(usage_error_of(no_addr).find("MASTER_ADDR is not set"), std::string::npos);
}

TEST(WorldFromEnv, TorchrunInsideASlurmAllocationWins) {
  Vars vars = kTorchrun;
  vars["SLURM_PROCID"] = "0";
  vars["SLURM_NTASKS"] = "1";
  EXPECT_EQ(world_of(vars)->source, "torchrun");
}

}  // namespace
}  // namespace cola::dist

// docs/pytorchjob.yaml, the README's Kubernetes example of multi-machine training: a Kubeflow
// PyTorchJob whose pods run `cola train` as the operator expects, with a command that cola takes.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

#include "deploy/deploy_files.h"
#include "support/run_cli.h"
#include "support/shared_data.h"

namespace cola::test {
namespace {

TEST(PyTorchJob, EveryReplicaRunsAColaTrainThatParses) {
  const YAML::Node job = YAML::LoadFile((source_dir() / "docs/pytorchjob.yaml").string());
  EXPECT_EQ(job["apiVersion"].as<std::string>(), "kubeflow.org/v1");
  EXPECT_EQ(job["kind"].as<std::string>(), "PyTorchJob");
  const YAML::Node replicas = job["spec"]["pytorchReplicaSpecs"];
  ASSERT_TRUE(replicas["Master"]) << "the operator makes rank 0 of the Master";
  EXPECT_EQ(replicas["Master"]["replicas"].as<int>(), 1);
  const auto master_command =
      strings(replicas["Master"]["template"]["spec"]["containers"][0]["command"]);
  for (const auto& kv : replicas) {
    const std::string role = kv.first.as<std::string>();
    const YAML::Node container = kv.second["template"]["spec"]["containers"][0];
    // The operator sets MASTER_ADDR and the rest only in the container named "pytorch".
    EXPECT_EQ(container["name"].as<std::string>(), "pytorch") << role;
    auto command = strings(container["command"]);
    ASSERT_GE(command.size(), 2U) << role;
    EXPECT_EQ(command[0], "cola") << role;
    EXPECT_EQ(command[1], "train") << role;
    // Every rank must train the same job: the same command everywhere.
    EXPECT_EQ(command, master_command) << role;
    // The overrides are ones cola train takes (--cfg resolves them and exits).
    command.erase(command.begin());
    command.emplace_back("--cfg");
    const auto r = run_cli(command);
    EXPECT_EQ(r.exit_code, 0) << role << ": " << r.err;
  }
}

}  // namespace
}  // namespace cola::test

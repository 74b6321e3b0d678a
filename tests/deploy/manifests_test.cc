// deploy/: what can be checked here of a container and its Kubernetes objects, since no container
// engine runs on these machines. The manifests parse as the objects they claim to be, and they
// agree with each other, with the Containerfile and with serve's settings (probes_test.cc asks a
// running `cola serve` each probe they name).
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <string>
#include <vector>

#include "deploy/deploy_files.h"
#include "support/shared_data.h"

namespace cola::test {
namespace {

int drain_seconds(const std::vector<std::string>& args) {
  return serve_setting(args, "--shutdown-timeout", "shutdown_timeout_s");
}

TEST(DeployManifests, AreTheKubernetesObjectsWeShip) {
  const auto objects = load_objects();
  for (const char* kind :
       {"Deployment", "Service", "HorizontalPodAutoscaler", "ServingRuntime", "InferenceService"}) {
    EXPECT_EQ(objects.count(kind), 1U) << "deploy/k8s has no " << kind;
  }
}

TEST(DeployManifests, DeploymentProbesResourcesAndGracePeriod) {
  const YAML::Node deployment = load_objects()["Deployment"];
  ASSERT_TRUE(deployment) << "no Deployment";
  EXPECT_EQ(deployment["apiVersion"].as<std::string>(), "apps/v1");
  const YAML::Node pod = deployment["spec"]["template"];
  const YAML::Node container = pod["spec"]["containers"][0];
  const auto args = container_args(container).args;
  EXPECT_EQ(args.at(0), "serve");
  const int port = std::stoi(arg_value(args, "--port"));
  EXPECT_EQ(container["readinessProbe"]["httpGet"]["path"].as<std::string>(), "/health/ready");
  EXPECT_EQ(container["livenessProbe"]["httpGet"]["path"].as<std::string>(), "/health/live");
  for (const char* probe : {"readinessProbe", "livenessProbe", "startupProbe"}) {
    if (container[probe]) {
      EXPECT_EQ(probe_port(container, container[probe]), port) << probe;
    }
  }
  for (const char* bound : {"requests", "limits"}) {
    EXPECT_TRUE(container["resources"][bound]["cpu"]) << bound;
    EXPECT_TRUE(container["resources"][bound]["memory"]) << bound;
  }
  // The kubelet's SIGKILL comes after the grace period: it must outlast the preStop pause and the
  // drain, or answers accepted before SIGTERM are lost.
  int pre_stop = 0;
  if (const auto cmd = container["lifecycle"]["preStop"]["exec"]["command"]) {
    const auto words = strings(cmd);
    if (words.size() == 2 && words[0] == "sleep") pre_stop = std::stoi(words[1]);
  }
  EXPECT_GT(pod["spec"]["terminationGracePeriodSeconds"].as<int>(), pre_stop + drain_seconds(args));
  EXPECT_TRUE(pod["spec"]["securityContext"]["runAsNonRoot"].as<bool>());
  // The selector picks the pod template's own labels.
  for (const auto& kv : deployment["spec"]["selector"]["matchLabels"]) {
    EXPECT_EQ(pod["metadata"]["labels"][kv.first.as<std::string>()].as<std::string>(),
              kv.second.as<std::string>());
  }
}

TEST(DeployManifests, ServiceAndAutoscalerPointAtTheDeployment) {
  auto objects = load_objects();
  const YAML::Node deployment = objects["Deployment"];
  const YAML::Node pod = deployment["spec"]["template"];
  const YAML::Node service = objects["Service"];
  for (const auto& kv : service["spec"]["selector"]) {
    EXPECT_EQ(pod["metadata"]["labels"][kv.first.as<std::string>()].as<std::string>(),
              kv.second.as<std::string>());
  }
  const YAML::Node container = pod["spec"]["containers"][0];
  const YAML::Node fake_probe = YAML::Load(
      "{httpGet: {port: " + service["spec"]["ports"][0]["targetPort"].as<std::string>() + "}}");
  EXPECT_EQ(probe_port(container, fake_probe),
            std::stoi(arg_value(container_args(container).args, "--port")));
  const YAML::Node hpa = objects["HorizontalPodAutoscaler"];
  EXPECT_EQ(hpa["apiVersion"].as<std::string>(), "autoscaling/v2");
  EXPECT_EQ(hpa["spec"]["scaleTargetRef"]["kind"].as<std::string>(), "Deployment");
  EXPECT_EQ(hpa["spec"]["scaleTargetRef"]["name"].as<std::string>(),
            deployment["metadata"]["name"].as<std::string>());
  EXPECT_LE(hpa["spec"]["minReplicas"].as<int>(), hpa["spec"]["maxReplicas"].as<int>());
  // An HPA on CPU utilisation needs CPU requests to measure against.
  EXPECT_TRUE(container["resources"]["requests"]["cpu"]);
}

TEST(DeployManifests, InferenceServiceSpeaksV2ThroughTheColaRuntime) {
  auto objects = load_objects();
  const YAML::Node isvc = objects["InferenceService"];
  const YAML::Node runtime = objects["ServingRuntime"];
  EXPECT_EQ(isvc["apiVersion"].as<std::string>(), "serving.kserve.io/v1beta1");
  EXPECT_EQ(runtime["apiVersion"].as<std::string>(), "serving.kserve.io/v1alpha1");
  const YAML::Node model = isvc["spec"]["predictor"]["model"];
  EXPECT_EQ(model["protocolVersion"].as<std::string>(), "v2");
  EXPECT_EQ(model["runtime"].as<std::string>(), runtime["metadata"]["name"].as<std::string>());
  const auto protocols = strings(runtime["spec"]["protocolVersions"]);
  EXPECT_NE(std::find(protocols.begin(), protocols.end(), "v2"), protocols.end());
  EXPECT_EQ(model["modelFormat"]["name"].as<std::string>(),
            runtime["spec"]["supportedModelFormats"][0]["name"].as<std::string>());
  EXPECT_TRUE(model["storageUri"].IsScalar());
  // KServe's storage initializer puts the model under /mnt/models.
  const auto args = container_args(runtime["spec"]["containers"][0]);
  EXPECT_EQ(args.model_path.rfind("/mnt/models/", 0), 0U) << args.model_path;
}

TEST(DeployContainerfile, InstallsThroughTheChrootTestsScriptAndRunsAsNonRoot) {
  const auto file = read_containerfile();
  ASSERT_EQ(file.count("FROM"), 1U);
  EXPECT_EQ(file.at("FROM")[0], "debian:bookworm-slim");
  // One install step for both: what passes in the clean root is what the image gets.
  const std::string script = "install-deb.sh";
  bool runs_script = false;
  for (const auto& run : file.at("RUN"))
    runs_script |= run.find(script) == 0 || run.find("/" + script) != std::string::npos;
  EXPECT_TRUE(runs_script) << "no RUN of deploy/" << script;
  EXPECT_NE(read_text(source_dir() / "tests/deploy/package_root_test.sh").find("deploy/" + script),
            std::string::npos);
  ASSERT_EQ(file.count("USER"), 1U);
  const std::string user = file.at("USER")[0];
  EXPECT_NE(user.substr(0, user.find(':')), "0");
  EXPECT_NE(user.substr(0, user.find(':')), "root");
}

}  // namespace
}  // namespace cola::test

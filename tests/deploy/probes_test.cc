// Every probe that deploy/ names, asked of `cola serve` started with the manifest's own arguments
// (the Deployment's, KServe's ServingRuntime's, the Containerfile's CMD and ENV) on the seed's ONNX
// file: the paths must answer 200 on the port the probes name.
#include <gtest/gtest.h>
#include <httplib.h>
#include <yaml-cpp/yaml.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "deploy/deploy_files.h"
#include "support/run_cli.h"
#include "support/shared_data.h"

namespace cola::test {
namespace {
namespace fs = std::filesystem;

// The HTTP paths answered, each asked of `cola serve` running with `args` (model and port swapped;
// without --model, $COLA_MODEL names it, as in the image).
std::map<std::string, int> ask(std::vector<std::string> args, const fs::path& model,
                               const fs::path& golden, const std::set<std::string>& paths) {
  bool port_given = false;
  for (size_t i = 0; i + 1 < args.size(); ++i) {
    if (args[i] == "--model") args[i + 1] = model.string();
    if (args[i] == "--port") {
      args[i + 1] = "0";
      port_given = true;
    }
  }
  if (!port_given) args.insert(args.end(), {"--port", "0"});
  // The seed's file carries no tokenizer: what cola export writes into its files is given here.
  args.insert(args.end(), {"--vocab", (golden / "vocab.txt").string(), "--labels",
                           (golden / "config.json").string(), "--http-threads", "16"});
  BackgroundCli cli(args);
  const int port = wait_for_port(cli, R"(listening on http://[0-9.]+:(\d+))");
  std::map<std::string, int> status;
  if (port <= 0) return status;
  httplib::Client client("127.0.0.1", port);
  for (int i = 0; i < 300; ++i) {  // ready after the warm-up
    const auto r = client.Get("/health/ready");
    if (r && r->status == 200) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  for (const auto& path : paths) {
    const auto r = client.Get(path);
    status[path] = r ? r->status : -1;
  }
  cli.signal(SIGTERM);
  EXPECT_EQ(cli.wait().exit_code, 0);
  return status;
}

// Sets an environment variable for the servers this test starts, and restores it after.
class ScopedEnv {
 public:
  ScopedEnv(std::string name, const std::string& value) : name_(std::move(name)) {
    if (const char* old = std::getenv(name_.c_str())) old_ = old;
    ::setenv(name_.c_str(), value.c_str(), 1);
  }
  ~ScopedEnv() {
    if (old_) {
      ::setenv(name_.c_str(), old_->c_str(), 1);
    } else {
      ::unsetenv(name_.c_str());
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  std::string name_;
  std::optional<std::string> old_;
};

TEST(DeployProbes, EveryProbeIsAnsweredByColaServeWithTheManifestsArguments) {
  COLA_SHARED_PATH_OR_SKIP(seed, "golden/pytorch/seed-onnx/model.onnx");
  const fs::path golden = seed.parent_path().parent_path().parent_path() / "tiny-bert";
  auto objects = load_objects();

  // The Deployment: its own probes.
  const YAML::Node container = objects["Deployment"]["spec"]["template"]["spec"]["containers"][0];
  std::set<std::string> paths;
  for (const char* probe : {"readinessProbe", "livenessProbe", "startupProbe"}) {
    if (container[probe]) paths.insert(container[probe]["httpGet"]["path"].as<std::string>());
  }
  const auto deployment_status = ask(container_args(container).args, seed, golden, paths);
  ASSERT_EQ(deployment_status.size(), paths.size()) << "cola serve did not start with its args";
  for (const auto& [path, code] : deployment_status) {
    EXPECT_EQ(code, 200) << "Deployment probe " << path;
  }

  // KServe: the runtime's probes and the model's own v2 readiness, under the service's name.
  const std::string name = objects["InferenceService"]["metadata"]["name"].as<std::string>();
  const YAML::Node kserve = objects["ServingRuntime"]["spec"]["containers"][0];
  paths = {"/v2/models/" + name + "/ready", "/v2/models/" + name};
  for (const char* probe : {"readinessProbe", "livenessProbe"}) {
    if (kserve[probe]) {
      paths.insert(kserve[probe]["httpGet"]["path"].as<std::string>());
      EXPECT_EQ(probe_port(kserve, kserve[probe]),
                std::stoi(arg_value(container_args(kserve, name).args, "--port")));
    }
  }
  const auto kserve_status = ask(container_args(kserve, name).args, seed, golden, paths);
  ASSERT_EQ(kserve_status.size(), paths.size()) << "cola serve did not start with KServe's args";
  for (const auto& [path, code] : kserve_status) EXPECT_EQ(code, 200) << "KServe " << path;

  // The Containerfile: ENTRYPOINT + CMD with its ENV, as the image runs them (SageMaker's
  // `<image> serve` is the same command), and its HEALTHCHECK's URL.
  const auto file = read_containerfile();
  auto args = nlohmann::json::parse(file.at("CMD")[0]).get<std::vector<std::string>>();
  ASSERT_EQ(args.at(0), "serve");
  std::vector<std::unique_ptr<ScopedEnv>> env;
  std::string image_model;
  for (const auto& line : file.at("ENV")) {
    std::istringstream words(line);
    std::string word;
    while (words >> word) {
      const auto eq = word.find('=');
      ASSERT_NE(eq, std::string::npos) << "ENV " << line << ": use NAME=value";
      const std::string variable = word.substr(0, eq);
      std::string value = word.substr(eq + 1);
      if (variable == "COLA_MODEL") image_model = std::exchange(value, seed.string());
      env.push_back(std::make_unique<ScopedEnv>(variable, value));
    }
  }
  EXPECT_EQ(image_model, "/models/model.onnx") << "the README documents this path";
  const auto entry =
      nlohmann::json::parse(file.at("ENTRYPOINT")[0]).get<std::vector<std::string>>();
  ASSERT_EQ(entry, std::vector<std::string>{"cola"});
  std::smatch m;
  const std::string check = file.at("HEALTHCHECK")[0];
  ASSERT_TRUE(std::regex_search(check, m, std::regex(R"(http://127\.0\.0\.1:(\d+)(/\S*))")))
      << check;
  EXPECT_EQ(std::stoi(m[1].str()), serve_setting(args, "--port", "port"));
  EXPECT_EQ(m[1].str(), file.at("EXPOSE")[0]);
  const auto image_status = ask(args, seed, golden, {m[2].str()});
  ASSERT_EQ(image_status.size(), 1U) << "cola serve did not start with the image's CMD";
  EXPECT_EQ(image_status.begin()->second, 200) << "HEALTHCHECK " << m[2].str();
}

}  // namespace
}  // namespace cola::test

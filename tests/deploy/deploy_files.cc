#include "deploy/deploy_files.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "support/shared_data.h"

namespace cola::test {
namespace fs = std::filesystem;

fs::path deploy_dir() { return source_dir() / "deploy"; }

std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::map<std::string, YAML::Node> load_objects() {
  std::map<std::string, YAML::Node> objects;
  for (const auto& entry : fs::directory_iterator(deploy_dir() / "k8s")) {
    if (entry.path().extension() != ".yaml") continue;
    for (const YAML::Node& doc : YAML::LoadAll(read_text(entry.path()))) {
      const std::string where = entry.path().filename().string();
      EXPECT_TRUE(doc["apiVersion"].IsScalar()) << where << ": no apiVersion";
      EXPECT_TRUE(doc["kind"].IsScalar()) << where << ": no kind";
      EXPECT_TRUE(doc["metadata"]["name"].IsScalar()) << where << ": no metadata.name";
      const auto kind = doc["kind"].as<std::string>();
      EXPECT_EQ(objects.count(kind), 0U) << where << ": a second " << kind;
      objects[kind] = doc;
    }
  }
  return objects;
}

std::vector<std::string> strings(const YAML::Node& list) {
  std::vector<std::string> out;
  for (const auto& item : list) out.push_back(item.as<std::string>());
  return out;
}

std::string arg_value(const std::vector<std::string>& args, const std::string& flag) {
  for (size_t i = 0; i + 1 < args.size(); ++i) {
    if (args[i] == flag) return args[i + 1];
  }
  return "";
}

int probe_port(const YAML::Node& container, const YAML::Node& probe) {
  const YAML::Node port = probe["httpGet"]["port"];
  for (const auto& p : container["ports"]) {
    if (p["name"] && p["name"].as<std::string>() == port.as<std::string>()) {
      return p["containerPort"].as<int>();
    }
  }
  return port.as<int>();
}

ServedArgs container_args(const YAML::Node& container, const std::string& kserve_name) {
  ServedArgs s;
  for (std::string a : strings(container["args"])) {
    if (a == "{{.Name}}") a = kserve_name;
    s.args.push_back(a);
  }
  s.model_path = arg_value(s.args, "--model");
  return s;
}

int serve_setting(const std::vector<std::string>& args, const std::string& flag,
                  const std::string& key) {
  const std::string given = arg_value(args, flag);
  if (!given.empty()) return std::stoi(given);
  return YAML::LoadFile((source_dir() / "configs/serve/default.yaml").string())[key].as<int>();
}

std::map<std::string, std::vector<std::string>> read_containerfile() {
  std::map<std::string, std::vector<std::string>> instructions;
  std::istringstream in(read_text(deploy_dir() / "Containerfile"));
  std::string line;
  std::string joined;
  while (std::getline(in, line)) {
    if (joined.empty() && (line.empty() || line[0] == '#')) continue;
    if (!line.empty() && line.back() == '\\') {
      joined += line.substr(0, line.size() - 1);
      continue;
    }
    joined += line;
    const auto space = joined.find(' ');
    instructions[joined.substr(0, space)].push_back(joined.substr(space + 1));
    joined.clear();
  }
  return instructions;
}

}  // namespace cola::test
